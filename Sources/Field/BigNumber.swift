import CGMP

/// A GMP integer, owned and freed by this wrapper. Internal: no GMP type crosses the module's public API.
final class BigNumber {
    var z = __mpz_struct()

    init() { __gmpz_init(&z) }

    convenience init(limbs: [UInt64]) {
        self.init()
        limbs.withUnsafeBufferPointer { buffer in
            // order −1: least significant word first; endian 0: native.
            __gmpz_import(&z, buffer.count, -1, 8, 0, 0, buffer.baseAddress)
        }
    }

    /// Parses digits in `base` (10 or 16); nil when the text is not a non-negative number in that base.
    convenience init?(digits: String, base: Int32) {
        guard !digits.isEmpty, digits.utf8.allSatisfy({ Self.isDigit($0, base: base) }) else { return nil }
        self.init()
        guard __gmpz_set_str(&z, digits, base) == 0 else { return nil }
    }

    deinit { __gmpz_clear(&z) }

    private static func isDigit(_ c: UInt8, base: Int32) -> Bool {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return true
        case UInt8(ascii: "a")...UInt8(ascii: "f"), UInt8(ascii: "A")...UInt8(ascii: "F"): return base == 16
        default: return false
        }
    }

    // GMP only ever reads the modulus (it is never an output operand), so sharing it across threads is safe.
    nonisolated(unsafe) static let modulus = BigNumber(limbs: Fp.modulusLimbs)

    /// The value's little-endian 64-bit limbs, exactly `count` of them (the value must fit).
    func limbs(count: Int) -> [UInt64] {
        var out = [UInt64](repeating: 0, count: count)
        let bits = bitWidth
        precondition(__gmpz_sgn(&z) >= 0 && (bits + 63) / 64 <= count, "value does not fit in \(count) limbs")
        var written = 0
        out.withUnsafeMutableBufferPointer { buffer in
            _ = __gmpz_export(buffer.baseAddress, &written, -1, 8, 0, 0, &z)
        }
        return out
    }

    /// The number of bits in the value's binary form (1 for zero).
    var bitWidth: Int { __gmpz_sizeinbase(&z, 2) }

    func string(base: Int32) -> String {
        let size = __gmpz_sizeinbase(&z, base) + 2
        var chars = [CChar](repeating: 0, count: size)
        _ = __gmpz_get_str(&chars, base, &z)
        return String(decoding: chars.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func isLess(than other: BigNumber) -> Bool { __gmpz_cmp(&z, &other.z) < 0 }

    /// The inverse modulo m, or nil when none exists.
    func inverse(modulo m: BigNumber) -> BigNumber? {
        let r = BigNumber()
        return __gmpz_invert(&r.z, &z, &m.z) != 0 ? r : nil
    }
}

private func __gmpz_sgn(_ z: UnsafePointer<__mpz_struct>) -> Int32 {
    // mpz_sgn is a macro over the size field.
    let size = z.pointee._mp_size
    return size < 0 ? -1 : (size > 0 ? 1 : 0)
}
