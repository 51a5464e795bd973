import Field
import XCTest

/// Every field operation against GMP integers modulo p, on random inputs and on the values where carries and
/// reductions change behaviour.
final class FieldReferenceTests: XCTestCase {
    static let edges: [Fp] = {
        let hexes = [
            "0", "1", "2", "800000000000011000000000000000000000000000000000000000000000000",  // p − 1
            "80000000000001100000000000000000000000000000000000000000000000", "ffffffffffffffff", "10000000000000000",
            "1000000000000000000000000000000000000000000000000",
            "800000000000000000000000000000000000000000000000000000000000000",
            "800000000000010ffffffffffffffffffffffffffffffffffffffffffffffff",
            "7ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        ]
        return hexes.map { try! Fp(hex: $0) }
    }()

    /// Random elements, with one in five drawn from the edge values.
    func operands(count: Int, seed: UInt64) -> [Fp] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            rng.next() % 5 == 0 ? Self.edges[Int(rng.next() % UInt64(Self.edges.count))] : Fp.random(using: &rng)
        }
    }

    func testArithmeticAgainstGMP() {
        let n = 100_000
        let xs = operands(count: n, seed: 11)
        let ys = operands(count: n, seed: 12)
        var failures = 0
        for i in 0..<n {
            let (a, b) = (xs[i], ys[i])
            let (za, zb) = (a.reference, b.reference)
            if (a + b).hexDigits != (za + zb).hex { failures += 1 }
            if (a - b).hexDigits != (za - zb).hex { failures += 1 }
            if (a * b).hexDigits != (za * zb).hex { failures += 1 }
            if (-a).hexDigits != (Z(hex: "0") - za).hex { failures += 1 }
            if a.squared.hexDigits != (za * za).hex { failures += 1 }
            if a.doubled.hexDigits != (za + za).hex { failures += 1 }
        }
        XCTAssertEqual(failures, 0)
        print("field vs GMP: \(n) random operand pairs × 6 operations, \(failures) mismatches")
    }

    func testEdgeProductsAgainstGMP() {
        for a in Self.edges {
            for b in Self.edges {
                XCTAssertEqual((a * b).hexDigits, (a.reference * b.reference).hex, "\(a) * \(b)")
                XCTAssertEqual((a + b).hexDigits, (a.reference + b.reference).hex, "\(a) + \(b)")
                XCTAssertEqual((a - b).hexDigits, (a.reference - b.reference).hex, "\(a) - \(b)")
            }
        }
    }

    func testInverseAndPowerAgainstGMP() {
        let xs = operands(count: 20_000, seed: 13).filter { !$0.isZero }
        var rng = SeededGenerator(seed: 14)
        for (i, a) in xs.enumerated() {
            XCTAssertEqual(a.inverse().hexDigits, a.reference.inverse().hex)
            if i % 10 == 0 {
                let e = rng.next()
                XCTAssertEqual(a.power(e).hexDigits, a.reference.power(Z(hex: String(e, radix: 16))).hex)
            }
        }
        let inverses = Fp.batchInverse(xs)
        XCTAssertEqual(inverses, xs.map { $0.inverse() })
    }

    func testTextConversionsRoundTrip() throws {
        for a in operands(count: 2_000, seed: 15) {
            XCTAssertEqual(a.decimalString, a.reference.decimal)
            XCTAssertEqual(try Fp(decimal: a.decimalString), a)
            XCTAssertEqual(try Fp(hex: a.hexString), a)
            XCTAssertEqual(try Fp(canonicalBytes: a.canonicalBytes), a)
        }
        XCTAssertEqual(Fp.modulusDecimal, Z.p.decimal)
        XCTAssertThrowsError(try Fp(decimal: Fp.modulusDecimal)) { XCTAssertEqual($0 as? FieldError, .notCanonical) }
        for bad in ["", "-1", "12a", " 1", "0x", "1.5"] {
            XCTAssertThrowsError(try Fp(decimal: bad), bad) { XCTAssertEqual($0 as? FieldError, .notANumber(bad)) }
        }
        XCTAssertThrowsError(try Fp(hex: "0xg")) { XCTAssertEqual($0 as? FieldError, .notANumber("0xg")) }
    }

    func testEncodingRejectsNonCanonicalAndWrongLength() {
        XCTAssertThrowsError(try Fp(canonicalBytes: [UInt8](repeating: 0, count: 31))) {
            XCTAssertEqual($0 as? FieldError, .wrongLength(expected: 32, found: 31))
        }
        XCTAssertThrowsError(try Fp(canonicalBytes: [UInt8](repeating: 0, count: 33))) {
            XCTAssertEqual($0 as? FieldError, .wrongLength(expected: 32, found: 33))
        }
        XCTAssertThrowsError(try Fp(canonicalBytes: [UInt8](repeating: 0xFF, count: 32))) {
            XCTAssertEqual($0 as? FieldError, .notCanonical)
        }
        // p itself, encoded little-endian.
        var p = [UInt8](repeating: 0, count: 32)
        p[0] = 1
        p[24] = 0x11
        p[31] = 0x08
        XCTAssertThrowsError(try Fp(canonicalBytes: p)) { XCTAssertEqual($0 as? FieldError, .notCanonical) }
        p[0] = 0
        XCTAssertEqual(try Fp(canonicalBytes: p), -Fp.one)
    }

    func testRandomElementsAreCanonicalAndSpread() {
        var rng = SeededGenerator(seed: 16)
        var topNibbles = Set<UInt64>()
        for _ in 0..<10_000 {
            let x = Fp.random(using: &rng)
            XCTAssertNotNil(try? Fp(canonicalBytes: x.canonicalBytes))
            topNibbles.insert(x.canonicalLimbs.3 >> 56)
        }
        // Values are below p < 2^252, so the top byte is 0…8, and uniform sampling reaches all of 0…7.
        XCTAssertTrue(Set(0...7).isSubset(of: topNibbles))
    }
}

final class KernelAgreementTests: XCTestCase {
    /// The specialised kernel and GMP's mpn layer compute the same Montgomery product on every input.
    func testKernelMatchesGMPMontgomery() {
        let gmp = GMPMontgomeryMultiplier()
        var rng = SeededGenerator(seed: 31)
        let edges = FieldReferenceTests.edges
        var checked = 0
        for a in edges {
            for b in edges {
                XCTAssertEqual(gmp.multiply(a, b), a * b)
                checked += 1
            }
        }
        for _ in 0..<1_000_000 {
            let a = Fp.random(using: &rng)
            let b = Fp.random(using: &rng)
            if gmp.multiply(a, b) != a * b {
                XCTFail("kernel and GMP disagree on \(a) · \(b)")
                return
            }
            checked += 1
        }
        print("Montgomery kernel vs GMP mpn: \(checked) products agree")
    }
}
