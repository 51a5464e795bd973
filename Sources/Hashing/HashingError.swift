/// What can go wrong turning outside data into hashing values (digests, salts, seeds).
public enum HashingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The value was not the required number of bytes; pass exactly `expected` bytes.
    case wrongLength(expected: Int, found: Int)
    /// The text is not an even number of hexadecimal digits; pass lower- or upper-case hex without a prefix.
    case invalidHex(String)

    /// A one-line explanation for logs and command-line messages.
    public var description: String {
        switch self {
        case .wrongLength(let expected, let found): return "expected \(expected) bytes, found \(found)"
        case .invalidHex(let text): return "'\(text.prefix(80))' is not hexadecimal bytes"
        }
    }
}

/// Hexadecimal helpers shared by the 32-byte value types and the tests' vector readers.
enum Hex {
    static func encode<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ text: String) throws(HashingError) -> [UInt8] {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { throw .invalidHex(text) }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            guard let high = nibble(utf8[i]), let low = nibble(utf8[i + 1]) else { throw .invalidHex(text) }
            out.append(high << 4 | low)
            i += 2
        }
        return out
    }
}
