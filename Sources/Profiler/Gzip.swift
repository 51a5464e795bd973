/// A gzip stream writer (RFC 1952) around DEFLATE stored blocks (RFC 1951 §3.2.4): every gzip reader accepts it,
/// and it needs no compression library. A profile is written once per run, so its size matters less than adding
/// a system dependency.
public enum Gzip {
    /// The largest stored block DEFLATE allows.
    private static let blockSize = 65_535

    /// `data` as a gzip stream: header, stored blocks, CRC-32 and length.
    public static func compress(_ data: [UInt8]) -> [UInt8] {
        // ID1 ID2, CM = 8 (deflate), FLG = 0, MTIME = 0 (reproducible output), XFL = 0, OS = 255 (unknown).
        var out: [UInt8] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]
        out.reserveCapacity(data.count + data.count / blockSize * 5 + 32)
        var start = 0
        repeat {
            let end = min(start + blockSize, data.count)
            let length = UInt16(end - start)
            out.append(end == data.count ? 1 : 0)  // BFINAL, BTYPE = 00 (stored)
            out.append(contentsOf: littleEndian(UInt32(length), bytes: 2))
            out.append(contentsOf: littleEndian(UInt32(~length), bytes: 2))
            out.append(contentsOf: data[start..<end])
            start = end
        } while start < data.count
        out.append(contentsOf: littleEndian(crc32(data), bytes: 4))
        out.append(contentsOf: littleEndian(UInt32(truncatingIfNeeded: data.count), bytes: 4))
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

    private static func littleEndian(_ value: UInt32, bytes: Int) -> [UInt8] {
        (0..<bytes).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }
}
