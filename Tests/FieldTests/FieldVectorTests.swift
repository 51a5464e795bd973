import Field
import XCTest

/// The Python-computed known answers in Vectors/field/arith.txt.
final class FieldVectorTests: XCTestCase {
    func testKnownAnswers() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Vectors/field/arith.txt").standardized
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        var checked = 0
        for line in lines where !line.hasPrefix("#") {
            let f = line.split(separator: " ").map(String.init)
            func x(_ i: Int) throws -> Fp { try Fp(hex: f[i]) }
            switch f[0] {
            case "add": XCTAssertEqual(try x(1) + x(2), try x(3), String(line))
            case "sub": XCTAssertEqual(try x(1) - x(2), try x(3), String(line))
            case "mul": XCTAssertEqual(try x(1) * x(2), try x(3), String(line))
            case "neg": XCTAssertEqual(-(try x(1)), try x(2), String(line))
            case "square": XCTAssertEqual(try x(1).squared, try x(2), String(line))
            case "inverse": XCTAssertEqual(try x(1).inverse(), try x(2), String(line))
            case "pow": XCTAssertEqual(try x(1).power(exponent: "0x" + f[2]), try x(3), String(line))
            case "decimal":
                XCTAssertEqual(try x(1).decimalString, f[2])
                XCTAssertEqual(try Fp(decimal: f[2]), try x(1))
            case "encode":
                XCTAssertEqual(try x(1).canonicalBytes, bytes(f[2]))
                XCTAssertEqual(try Fp(canonicalBytes: bytes(f[2])), try x(1))
            case "reject":
                XCTAssertThrowsError(try Fp(canonicalBytes: bytes(f[1]))) {
                    XCTAssertEqual($0 as? FieldError, .notCanonical)
                }
            case "reduce64": XCTAssertEqual(Fp(reducing: bytes(f[1])), try x(2), String(line))
            case "root": XCTAssertEqual(Fp.rootOfUnity(logOrder: Int(f[1])!), try x(2), String(line))
            default: XCTFail("unknown vector line: \(line)")
            }
            checked += 1
        }
        XCTAssertGreaterThan(checked, 1_000)
        print("field known answers: \(checked) cases checked")
    }

    private func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var i = hex.startIndex
        while i < hex.endIndex {
            let j = hex.index(i, offsetBy: 2)
            out.append(UInt8(hex[i..<j], radix: 16)!)
            i = j
        }
        return out
    }
}
