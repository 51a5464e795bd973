/// A gzip stream writer (RFC 1952) with its own DEFLATE compressor (RFC 1951): LZ77 matches found through hash
/// chains, coded with DEFLATE's fixed Huffman codes (§3.2.6) in one block. No compression library is needed, and
/// a profile, whose samples repeat the same location ids again and again, shrinks to a fraction.
public enum Gzip {
    /// `data` as a gzip stream: header, one compressed block, CRC-32 and length.
    public static func compress(_ data: [UInt8]) -> [UInt8] {
        // ID1 ID2, CM = 8 (deflate), FLG = 0, MTIME = 0 (reproducible output), XFL = 0, OS = 255 (unknown).
        var out: [UInt8] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]
        out += Deflate.fixedBlock(data)
        for value in [crc32(data), UInt32(truncatingIfNeeded: data.count)] {
            out += (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
        }
        return out
    }

    /// CRC-32 as gzip and zlib use it (reflected polynomial 0xedb88320).
    public static func crc32(_ data: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xffff_ffff
        for byte in data {
            crc = crcTable[Int((crc ^ UInt32(byte)) & 0xff)] ^ (crc >> 8)
        }
        return ~crc
    }

    private static let crcTable: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 != 0 ? 0xedb8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }
}

/// DEFLATE with the fixed Huffman codes: greedy LZ77 over a 32 KiB window, then literals, lengths and distances
/// written with the codes RFC 1951 §3.2.6 fixes, so no code table is sent.
enum Deflate {
    private static let window = 32_768
    private static let minimumMatch = 3
    private static let maximumMatch = 258
    /// How many earlier positions with the same 3-byte hash are tried: longer chains find longer matches.
    private static let chainLimit = 64
    private static let hashBits = 15

    /// Length codes 257...285: the shortest length of each and its number of extra bits (§3.2.5).
    private static let lengthBase: [Int] = [
        3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227,
        258,
    ]
    private static let lengthExtra: [Int] = [
        0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
    ]
    /// Distance codes 0...29: the shortest distance of each and its number of extra bits.
    private static let distanceBase: [Int] = [
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097,
        6145, 8193, 12289, 16385, 24577,
    ]
    private static let distanceExtra: [Int] = [
        0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
    ]

    /// One final block (BFINAL = 1, BTYPE = 01) holding all of `data`.
    static func fixedBlock(_ data: [UInt8]) -> [UInt8] {
        var bits = BitWriter()
        bits.write(1, count: 1)
        bits.write(1, count: 2)
        var head = [Int](repeating: -1, count: 1 << hashBits)
        var previous = [Int](repeating: -1, count: window)
        func hash(_ at: Int) -> Int {
            let value = Int(data[at]) << 16 | Int(data[at + 1]) << 8 | Int(data[at + 2])
            return (value &* 0x9e37_79b1) >> (32 - hashBits) & (1 << hashBits - 1)
        }
        func insert(_ at: Int) {
            guard at + minimumMatch <= data.count else { return }
            let key = hash(at)
            previous[at % window] = head[key]
            head[key] = at
        }
        var at = 0
        while at < data.count {
            var bestLength = 0
            var bestDistance = 0
            if at + minimumMatch <= data.count {
                var candidate = head[hash(at)]
                var tries = chainLimit
                let longest = min(maximumMatch, data.count - at)
                while candidate >= 0 && at - candidate <= window && tries > 0 {
                    var length = 0
                    while length < longest && data[candidate + length] == data[at + length] { length += 1 }
                    if length > bestLength {
                        (bestLength, bestDistance) = (length, at - candidate)
                        if length == longest { break }
                    }
                    let next = previous[candidate % window]
                    // A chain entry overwritten by a newer position of the window ends the chain.
                    if next >= candidate { break }
                    candidate = next
                    tries -= 1
                }
            }
            if bestLength >= minimumMatch {
                writeLength(bestLength, to: &bits)
                writeDistance(bestDistance, to: &bits)
                for position in at..<(at + bestLength) { insert(position) }
                at += bestLength
            } else {
                writeSymbol(Int(data[at]), to: &bits)
                insert(at)
                at += 1
            }
        }
        writeSymbol(256, to: &bits)  // end of block
        return bits.finish()
    }

    /// A literal/length symbol (0...287) in its fixed code: 8 bits for 0-143, 9 for 144-255, 7 for 256-279 and
    /// 8 for 280-287; Huffman codes are written most significant bit first.
    private static func writeSymbol(_ symbol: Int, to bits: inout BitWriter) {
        switch symbol {
        case 0...143: bits.writeReversed(0x30 + symbol, count: 8)
        case 144...255: bits.writeReversed(0x190 + symbol - 144, count: 9)
        case 256...279: bits.writeReversed(symbol - 256, count: 7)
        default: bits.writeReversed(0xc0 + symbol - 280, count: 8)
        }
    }

    private static func writeLength(_ length: Int, to bits: inout BitWriter) {
        var code = lengthBase.count - 1
        while lengthBase[code] > length { code -= 1 }
        writeSymbol(257 + code, to: &bits)
        bits.write(length - lengthBase[code], count: lengthExtra[code])
    }

    private static func writeDistance(_ distance: Int, to bits: inout BitWriter) {
        var code = distanceBase.count - 1
        while distanceBase[code] > distance { code -= 1 }
        bits.writeReversed(code, count: 5)
        bits.write(distance - distanceBase[code], count: distanceExtra[code])
    }
}

/// Packs bits into bytes least significant bit first, as DEFLATE does.
private struct BitWriter {
    private var bytes: [UInt8] = []
    private var buffer: UInt64 = 0
    private var filled = 0

    /// The low `count` bits of `value`, least significant first (header fields and extra bits).
    mutating func write(_ value: Int, count: Int) {
        guard count > 0 else { return }
        buffer |= UInt64(value & (1 << count - 1)) << UInt64(filled)
        filled += count
        while filled >= 8 {
            bytes.append(UInt8(truncatingIfNeeded: buffer))
            buffer >>= 8
            filled -= 8
        }
    }

    /// The low `count` bits of `value`, most significant first (Huffman codes).
    mutating func writeReversed(_ value: Int, count: Int) {
        var reversed = 0
        for bit in 0..<count where value >> bit & 1 == 1 { reversed |= 1 << (count - 1 - bit) }
        write(reversed, count: count)
    }

    /// The bytes written, the last one padded with zero bits.
    mutating func finish() -> [UInt8] {
        if filled > 0 { bytes.append(UInt8(truncatingIfNeeded: buffer)) }
        (buffer, filled) = (0, 0)
        return bytes
    }
}
