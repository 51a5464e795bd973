/// Bounds-checked little-endian reads over part of a file, for the ELF and DWARF decoders.
///
/// Every read checks the cursor's end first, so a truncated or hostile file gives a ``ProfilerError`` (built by
/// `failure` from the position of the read and a reason), never a trap.
struct ByteCursor {
    let bytes: [UInt8]
    /// The first position past the readable part.
    let end: Int
    var position: Int
    let failure: (_ position: Int, _ reason: String) -> ProfilerError

    init(
        _ bytes: [UInt8], from start: Int, to end: Int,
        failure: @escaping (_ position: Int, _ reason: String) -> ProfilerError
    ) {
        (self.bytes, self.failure) = (bytes, failure)
        self.end = max(0, min(end, bytes.count))
        self.position = max(0, min(start, self.end))
    }

    var isAtEnd: Bool { position >= end }
    var remaining: Int { max(0, end - position) }

    /// Fails unless `count` more bytes are readable.
    func need(_ count: Int, _ what: String) throws(ProfilerError) {
        guard count >= 0, count <= remaining else {
            throw failure(position, "\(what) needs \(count) bytes, \(remaining) left")
        }
    }

    mutating func skip(_ count: Int, _ what: String = "field") throws(ProfilerError) {
        try need(count, what)
        position += count
    }

    mutating func u8() throws(ProfilerError) -> UInt8 {
        try need(1, "byte")
        defer { position += 1 }
        return bytes[position]
    }

    mutating func u16() throws(ProfilerError) -> UInt16 { UInt16(truncatingIfNeeded: try unsigned(2)) }
    mutating func u32() throws(ProfilerError) -> UInt32 { UInt32(truncatingIfNeeded: try unsigned(4)) }
    mutating func u64() throws(ProfilerError) -> UInt64 { try unsigned(8) }

    /// An unsigned little-endian integer of `size` bytes (at most 8).
    mutating func unsigned(_ size: Int) throws(ProfilerError) -> UInt64 {
        guard size <= 8 else { throw failure(position, "integer of \(size) bytes") }
        try need(size, "\(size)-byte integer")
        var value: UInt64 = 0
        for i in 0..<size { value |= UInt64(bytes[position + i]) << (8 * UInt64(i)) }
        position += size
        return value
    }

    /// An unsigned LEB128 number; bits beyond 64 are dropped (no valid field of ours needs them).
    mutating func uleb() throws(ProfilerError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try u8()
            if shift < 64 { value |= UInt64(byte & 0x7f) << shift }
            shift += 7
            if byte & 0x80 == 0 { return value }
        }
    }

    /// A signed LEB128 number, sign-extended to 64 bits.
    mutating func sleb() throws(ProfilerError) -> Int64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        var byte: UInt8
        repeat {
            byte = try u8()
            if shift < 64 { value |= UInt64(byte & 0x7f) << shift }
            shift += 7
        } while byte & 0x80 != 0
        if shift < 64 && byte & 0x40 != 0 { value |= ~0 << shift }
        return Int64(bitPattern: value)
    }

    /// A NUL-terminated string (decoded as UTF-8, invalid sequences replaced).
    mutating func cString() throws(ProfilerError) -> String {
        guard let terminator = bytes[position..<end].firstIndex(of: 0) else {
            throw failure(position, "string without a terminating NUL")
        }
        defer { position = terminator + 1 }
        return String(decoding: bytes[position..<terminator], as: UTF8.self)
    }
}
