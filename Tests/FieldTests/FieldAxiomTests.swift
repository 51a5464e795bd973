import Field
import XCTest

/// Field axioms as generic properties: they hold for any `FieldElement`, and run here on `Fp`.
func checkFieldAxioms<F: FieldElement>(_: F.Type, samples: Int, seed: UInt64) -> Int {
    var rng = SeededGenerator(seed: seed)
    var violations = 0
    func check(_ ok: Bool) { if !ok { violations += 1 } }
    for _ in 0..<samples {
        let a = F.random(using: &rng)
        let b = F.random(using: &rng)
        let c = F.random(using: &rng)
        check(a + b == b + a)
        check(a * b == b * a)
        check((a + b) + c == a + (b + c))
        check((a * b) * c == a * (b * c))
        check(a * (b + c) == a * b + a * c)
        check(a + F.zero == a)
        check(a * F.one == a)
        check(a * F.zero == F.zero)
        check(a + (-a) == F.zero)
        check(a - b == a + (-b))
        check(a.squared == a * a)
        check(a.power(3) == a * a * a)
        if !a.isZero {
            check(a * a.inverse() == F.one)
            check(a.inverse().inverse() == a)
        }
    }
    return violations
}

final class FieldAxiomTests: XCTestCase {
    func testAxiomsHoldForFp() {
        XCTAssertEqual(checkFieldAxioms(Fp.self, samples: 20_000, seed: 21), 0)
    }

    func testFermatAndGroupStructure() throws {
        var rng = SeededGenerator(seed: 22)
        let pMinusOne = try Fp(decimal: Fp.modulusDecimal.dropLast() + "0")  // p ends in 1
        XCTAssertEqual(pMinusOne, -Fp.one)
        for _ in 0..<50 {
            let a = Fp.random(using: &rng)
            guard !a.isZero else { continue }
            // a^(p−1) = 1.
            XCTAssertEqual(
                try a.power(exponent: "0x800000000000011000000000000000000000000000000000000000000000000"), .one)
        }
        // 3 generates F_p*: 3^((p−1)/2) = −1, and −1 is the only square root of 1 besides 1.
        XCTAssertEqual(
            try Fp.generator.power(exponent: "0x400000000000008800000000000000000000000000000000000000000000000"), -.one
        )
    }

    func testRootsOfUnityHaveExactOrder() {
        for k in [1, 2, 5, 16, 20, 64, 192] {
            let w = Fp.rootOfUnity(logOrder: k)
            var x = w
            for _ in 0..<(k - 1) { x = x.squared }
            XCTAssertEqual(x, -Fp.one, "ω^(2^(k−1)) = −1 for k = \(k)")
            XCTAssertEqual(x.squared, .one)
        }
    }
}

final class ReductionTests: XCTestCase {
    /// Byte strings of every length up to 100 (random, all zeros, all ones) reduce to Σ b_i·256^i computed in the
    /// field, byte by byte: across every way they fall into 256-bit chunks, including chunks far above p.
    func testReducingBytesIsTheirValueModP() {
        var rng = SeededGenerator(seed: 402)
        for count in 0...100 {
            let random = (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
            for bytes in [random, [UInt8](repeating: 0xFF, count: count), [UInt8](repeating: 0, count: count)] {
                var value = Fp.zero
                for b in bytes.reversed() { value = value * Fp(256) + Fp(UInt64(b)) }
                XCTAssertEqual(Fp(reducing: bytes), value, "\(count) bytes")
            }
        }
    }
}
