import CGMP
import Field

/// An independent reference for the field: plain GMP integer arithmetic modulo p, sharing no code with `Fp`.
final class Z {
    var z = __mpz_struct()

    init() { __gmpz_init(&z) }
    deinit { __gmpz_clear(&z) }

    convenience init(hex: String) {
        self.init()
        precondition(__gmpz_set_str(&z, hex, 16) == 0)
    }

    convenience init(limbs: (UInt64, UInt64, UInt64, UInt64)) {
        self.init()
        let words = [limbs.0, limbs.1, limbs.2, limbs.3]
        words.withUnsafeBufferPointer { __gmpz_import(&z, 4, -1, 8, 0, 0, $0.baseAddress) }
    }

    nonisolated(unsafe) static let p = Z(hex: "800000000000011000000000000000000000000000000000000000000000001")

    var hex: String {
        var chars = [CChar](repeating: 0, count: __gmpz_sizeinbase(&z, 16) + 2)
        _ = __gmpz_get_str(&chars, 16, &z)
        return String(decoding: chars.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    var decimal: String {
        var chars = [CChar](repeating: 0, count: __gmpz_sizeinbase(&z, 10) + 2)
        _ = __gmpz_get_str(&chars, 10, &z)
        return String(decoding: chars.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func binary(_ op: (UnsafeMutablePointer<__mpz_struct>, UnsafePointer<__mpz_struct>, UnsafePointer<__mpz_struct>)
        -> Void, _ other: Z) -> Z
    {
        let t = Z()
        op(&t.z, &z, &other.z)
        let r = Z()
        __gmpz_mod(&r.z, &t.z, &Z.p.z)
        return r
    }

    static func + (a: Z, b: Z) -> Z { a.binary({ __gmpz_add($0, $1, $2) }, b) }
    static func - (a: Z, b: Z) -> Z { a.binary({ __gmpz_sub($0, $1, $2) }, b) }
    static func * (a: Z, b: Z) -> Z { a.binary({ __gmpz_mul($0, $1, $2) }, b) }

    func inverse() -> Z {
        let r = Z()
        precondition(__gmpz_invert(&r.z, &z, &Z.p.z) != 0)
        return r
    }

    func power(_ e: Z) -> Z {
        let r = Z()
        __gmpz_powm(&r.z, &z, &e.z, &Z.p.z)
        return r
    }
}

extension Fp {
    /// The canonical value as GMP sees it.
    var reference: Z { Z(limbs: canonicalLimbs) }
    var hexDigits: String { String(hexString.dropFirst(2)) }

    init(_ z: Z) { try! self.init(hex: z.hex) }
}
