/// What can go wrong turning outside data into field elements.
public enum FieldError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The encoding was not exactly 32 bytes long; pass the canonical 32-byte little-endian form.
    case wrongLength(expected: Int, found: Int)
    /// The encoded value is p or larger, so it is not the canonical form of any element.
    case notCanonical
    /// The text is not a non-negative integer in the expected base.
    case notANumber(String)

    public var description: String {
        switch self {
        case .wrongLength(let expected, let found):
            return "field element encoding is \(found) bytes; expected \(expected)"
        case .notCanonical: return "field element encoding is not below the modulus p"
        case .notANumber(let text): return "'\(text.prefix(80))' is not a field element"
        }
    }
}

extension Fp {
    /// The size of the canonical encoding in bytes.
    public static let byteCount = 32

    /// Decodes the canonical 32-byte little-endian encoding; rejects any value ≥ p.
    public init<Bytes: Collection<UInt8>>(canonicalBytes bytes: Bytes) throws(FieldError) {
        guard bytes.count == Fp.byteCount else {
            throw .wrongLength(expected: Fp.byteCount, found: bytes.count)
        }
        var limbs: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var index = bytes.startIndex
        func nextLimb() -> UInt64 {
            var v: UInt64 = 0
            for shift in stride(from: 0, to: 64, by: 8) {
                v |= UInt64(bytes[index]) << UInt64(shift)
                index = bytes.index(after: index)
            }
            return v
        }
        limbs.0 = nextLimb()
        limbs.1 = nextLimb()
        limbs.2 = nextLimb()
        limbs.3 = nextLimb()
        guard let x = Fp(canonicalLimbs: limbs) else { throw .notCanonical }
        self = x
    }

    /// The canonical 32-byte little-endian encoding.
    public var canonicalBytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: Fp.byteCount)
        out.withUnsafeMutableBytes { writeCanonicalBytes(to: $0.baseAddress!) }
        return out
    }

    /// Writes the canonical 32-byte little-endian encoding to `destination`, which must have room for it.
    @inlinable
    public func writeCanonicalBytes(to destination: UnsafeMutableRawPointer) {
        let v = canonicalLimbs
        destination.storeBytes(of: v.0.littleEndian, toByteOffset: 0, as: UInt64.self)
        destination.storeBytes(of: v.1.littleEndian, toByteOffset: 8, as: UInt64.self)
        destination.storeBytes(of: v.2.littleEndian, toByteOffset: 16, as: UInt64.self)
        destination.storeBytes(of: v.3.littleEndian, toByteOffset: 24, as: UInt64.self)
    }

    /// The element congruent to the little-endian integer in `bytes` (any length), reduced mod p.
    ///
    /// Used for Fiat-Shamir challenges from 64-byte hash outputs: reducing 512 uniform bits mod p leaves a bias
    /// below 2^-260.
    public init<Bytes: Collection<UInt8>>(reducing bytes: Bytes) {
        // One copy into an array, so the loop below runs on plain bytes whatever the collection.
        let bytes = [UInt8](bytes)
        var limbs = [UInt64](repeating: 0, count: (bytes.count + 7) / 8)
        bytes.withUnsafeBufferPointer { bytes in
            for i in bytes.indices { limbs[i >> 3] |= UInt64(bytes[i]) << UInt64(8 * (i & 7)) }
        }
        self.init(reducingLimbs: limbs)
    }

    /// The element congruent to the integer with these little-endian 64-bit limbs.
    public init(reducingLimbs limbs: [UInt64]) {
        // Σ_k c_k·2^(256k) for the 256-bit chunks c_k. A Montgomery product of R^(k+2) mod p (below p) and c_k (any
        // 256-bit number: each round adds at most a word's multiple of the first factor, so the product stays below
        // 2p) is c_k·R^(k+1) mod p, the Montgomery form of c_k·2^(256k), with R = 2^256.
        var sum = Fp.zero
        var factor = Fp.r2
        var k = 0
        while k < limbs.count {
            @inline(__always) func limb(_ i: Int) -> UInt64 { k + i < limbs.count ? limbs[k + i] : 0 }
            sum += Fp.montgomeryProduct(factor, Fp(montgomeryLimbs: limb(0), limb(1), limb(2), limb(3)))
            factor = Fp.montgomeryProduct(factor, Fp.r2)
            k += 4
        }
        self = sum
    }

    /// Parses a non-negative decimal integer below p.
    public init(decimal text: String) throws(FieldError) {
        try self.init(digits: text, base: 10, original: text)
    }

    /// Parses a non-negative hexadecimal integer below p, with or without a `0x` prefix.
    public init(hex text: String) throws(FieldError) {
        let digits = text.hasPrefix("0x") || text.hasPrefix("0X") ? String(text.dropFirst(2)) : text
        try self.init(digits: digits, base: 16, original: text)
    }

    private init(digits: String, base: Int32, original: String) throws(FieldError) {
        guard digits.utf8.count <= 256, let n = BigNumber(digits: digits, base: base) else {
            throw .notANumber(original)
        }
        guard n.isLess(than: .modulus) else { throw .notCanonical }
        let r = n.limbs(count: 4)
        self = Fp(canonicalLimbs: (r[0], r[1], r[2], r[3]))!
    }

    private var bigNumber: BigNumber {
        let v = canonicalLimbs
        return BigNumber(limbs: [v.0, v.1, v.2, v.3])
    }

    /// The canonical value in decimal.
    public var decimalString: String { bigNumber.string(base: 10) }

    /// The canonical value in lower-case hexadecimal with a `0x` prefix.
    public var hexString: String { "0x" + bigNumber.string(base: 16) }
}

extension Fp: CustomStringConvertible {
    public var description: String { decimalString }
}

// MARK: - Inversion

extension Fp {
    /// The multiplicative inverse, computed by GMP's extended gcd. Zero has none: that is a caller's bug.
    public func inverse() -> Fp {
        precondition(!isZero, "zero has no inverse")
        let r = bigNumber.inverse(modulo: .modulus)!.limbs(count: 4)
        return Fp(canonicalLimbs: (r[0], r[1], r[2], r[3]))!
    }

    /// Inverts every element with one field inversion and three multiplications each (Montgomery's trick).
    /// Every element must be non-zero.
    public static func batchInverse(_ elements: [Fp]) -> [Fp] {
        guard !elements.isEmpty else { return [] }
        var prefix = [Fp](repeating: .zero, count: elements.count)
        var acc = Fp.one
        for (i, x) in elements.enumerated() {
            precondition(!x.isZero, "zero has no inverse")
            prefix[i] = acc
            acc *= x
        }
        var inv = acc.inverse()
        var out = [Fp](repeating: .zero, count: elements.count)
        for i in stride(from: elements.count - 1, through: 0, by: -1) {
            out[i] = inv * prefix[i]
            inv *= elements[i]
        }
        return out
    }

    /// The element raised to an arbitrary non-negative exponent given in decimal or hex text.
    public func power(exponent text: String) throws(FieldError) -> Fp {
        let isHex = text.hasPrefix("0x")
        guard text.utf8.count <= 512,
            let e = BigNumber(digits: isHex ? String(text.dropFirst(2)) : text, base: isHex ? 16 : 10)
        else { throw .notANumber(text) }
        return power(limbs: e.limbs(count: (e.bitWidth + 63) / 64))
    }
}
