import Foundation

/// A reader of pprof profiles written from the public `proto/profile.proto` (github.com/google/pprof), sharing
/// no code with the writer: a gzip reader (stored and fixed-Huffman DEFLATE blocks), a protocol buffer reader, and the
/// messages the profiler emits (string table, sample, location, line, function, mapping).
enum ProfileDecoder {
    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    struct Sample: Equatable {
        var locationIDs: [UInt64]
        var values: [Int64]
    }

    struct Line: Equatable {
        var functionID: UInt64
        var line: Int64
    }

    struct Location: Equatable {
        var id: UInt64
        var mappingID: UInt64
        var address: UInt64
        var lines: [Line]
    }

    struct Function: Equatable {
        var id: UInt64
        var name: String
        var systemName: String
        var filename: String
        var startLine: Int64
    }

    struct Mapping: Equatable {
        var id: UInt64
        var memoryStart: UInt64
        var memoryLimit: UInt64
        var filename: String
        var hasFunctions: Bool
        var hasLineNumbers: Bool
        var hasInlineFrames: Bool
    }

    struct Decoded {
        var strings: [String]
        var sampleTypes: [(type: String, unit: String)]
        var samples: [Sample]
        var mappings: [Mapping]
        var locations: [UInt64: Location]
        var functions: [UInt64: Function]
        var comments: [String]
        var periodType: (type: String, unit: String)?
        var period: Int64

        /// The function names of a sample's stack, leaf first (the hex address where a location has no line).
        func names(_ sample: Sample) -> [String] {
            sample.locationIDs.map { id in
                let location = locations[id]!
                guard let line = location.lines.first else { return "0x" + String(location.address, radix: 16) }
                return functions[line.functionID]!.name
            }
        }

        /// The (file name without directory, line) of each frame of a sample, leaf first.
        func lines(_ sample: Sample) -> [(file: String, line: Int64)] {
            sample.locationIDs.map { id in
                guard let line = locations[id]!.lines.first else { return ("", 0) }
                let file = functions[line.functionID]!.filename
                return (String(file.split(separator: "/").last ?? ""), line.line)
            }
        }
    }

    /// Reads a gzip file and the profile in it.
    static func decode(gzipped: [UInt8]) throws -> Decoded { try decode(try gunzip(gzipped)) }

    // MARK: - gzip (RFC 1952) with stored and fixed-Huffman DEFLATE blocks (RFC 1951 §3.2.4, §3.2.6)

    static func gunzip(_ stream: [UInt8]) throws -> [UInt8] {
        guard stream.count >= 18, stream[0] == 0x1f, stream[1] == 0x8b, stream[2] == 8 else {
            throw Failure("not a gzip stream")
        }
        guard stream[3] == 0 else { throw Failure("gzip header flags \(stream[3]) are not read here") }
        var bits = BitReader(bytes: stream, byte: 10)
        var out: [UInt8] = []
        var final = false
        while !final {
            final = try bits.read(1) == 1
            switch try bits.read(2) {
            case 0: try storedBlock(&bits, into: &out)
            case 1: try fixedBlock(&bits, into: &out)
            case let type: throw Failure("block type \(type) is not read here")
            }
        }
        let at = bits.byteAligned()
        guard at + 8 == stream.count else { throw Failure("trailer of \(stream.count - at) bytes, expected 8") }
        let crc = (0..<4).reduce(UInt32(0)) { $0 | UInt32(stream[at + $1]) << (8 * $1) }
        let size = (0..<4).reduce(UInt32(0)) { $0 | UInt32(stream[at + 4 + $1]) << (8 * $1) }
        guard crc == referenceCRC32(out) else { throw Failure("CRC-32 mismatch") }
        guard size == UInt32(truncatingIfNeeded: out.count) else { throw Failure("ISIZE mismatch") }
        return out
    }

    /// Reads bits least significant first, as DEFLATE packs them.
    struct BitReader {
        let bytes: [UInt8]
        var byte: Int
        var bit = 0

        init(bytes: [UInt8], byte: Int) { (self.bytes, self.byte) = (bytes, byte) }

        mutating func read(_ count: Int) throws -> Int {
            var value = 0
            for i in 0..<count {
                guard byte < bytes.count else { throw Failure("truncated DEFLATE stream") }
                value |= Int(bytes[byte] >> UInt8(bit) & 1) << i
                bit += 1
                if bit == 8 { (byte, bit) = (byte + 1, 0) }
            }
            return value
        }

        /// Skips to the next byte boundary and returns its offset.
        mutating func byteAligned() -> Int {
            if bit > 0 { (byte, bit) = (byte + 1, 0) }
            return byte
        }
    }

    private static func storedBlock(_ bits: inout BitReader, into out: inout [UInt8]) throws {
        var at = bits.byteAligned()
        let stream = bits.bytes
        guard at + 4 <= stream.count else { throw Failure("truncated stored block header") }
        let length = Int(stream[at]) | Int(stream[at + 1]) << 8
        let complement = Int(stream[at + 2]) | Int(stream[at + 3]) << 8
        guard length ^ complement == 0xffff else { throw Failure("LEN and NLEN disagree") }
        at += 4
        guard at + length <= stream.count else { throw Failure("truncated stored block") }
        out += stream[at..<at + length]
        bits.byte = at + length
    }

    private static func fixedBlock(_ bits: inout BitReader, into out: inout [UInt8]) throws {
        let lengthBase = [
            3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195,
            227, 258,
        ]
        let distanceBase = [
            1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073,
            4097, 6145, 8193, 12289, 16385, 24577,
        ]
        // Extra bits: none for the first 8 length codes and for 258, then one more every 4 codes; for distances,
        // none for the first 4 codes, then one more every 2.
        func lengthExtra(_ code: Int) -> Int { code < 8 || code == 28 ? 0 : code / 4 - 1 }
        func distanceExtra(_ code: Int) -> Int { code < 4 ? 0 : code / 2 - 1 }
        func huffman(_ count: Int, prefix: Int) throws -> Int {
            var value = prefix
            for _ in 0..<count { value = value << 1 | (try bits.read(1)) }
            return value
        }
        while true {
            // Codes are read most significant bit first: 7 bits for 256-279, 8 for 0-143 and 280-287, 9 for
            // 144-255.
            var code = try huffman(7, prefix: 0)
            let symbol: Int
            if code <= 0x17 {
                symbol = 256 + code
            } else {
                code = try huffman(1, prefix: code)
                if (0x30...0xbf).contains(code) {
                    symbol = code - 0x30
                } else if (0xc0...0xc7).contains(code) {
                    symbol = 280 + code - 0xc0
                } else {
                    symbol = 144 + (try huffman(1, prefix: code)) - 0x190
                }
            }
            if symbol < 256 {
                out.append(UInt8(symbol))
                continue
            }
            if symbol == 256 { return }
            let lengthCode = symbol - 257
            guard lengthCode < 29 else { throw Failure("length symbol \(symbol)") }
            let length = lengthBase[lengthCode] + (try bits.read(lengthExtra(lengthCode)))
            let distanceCode = try huffman(5, prefix: 0)
            guard distanceCode < 30 else { throw Failure("distance code \(distanceCode)") }
            let distance = distanceBase[distanceCode] + (try bits.read(distanceExtra(distanceCode)))
            guard distance <= out.count else { throw Failure("distance \(distance) before the start") }
            for _ in 0..<length { out.append(out[out.count - distance]) }
        }
    }

    /// Bit-by-bit CRC-32 (no table), as a reference for the writer's table-driven one.
    static func referenceCRC32(_ data: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xffff_ffff
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (crc & 1 == 1 ? 0xedb8_8320 : 0) }
        }
        return ~crc
    }

    // MARK: - Protocol buffers

    enum Value {
        case varint(UInt64)
        case bytes([UInt8])
    }

    /// One varint at `at`, which moves past it.
    static func varint(_ data: [UInt8], _ at: inout Int) throws -> UInt64 {
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 70, by: 7) {
            guard at < data.count else { throw Failure("truncated varint") }
            let byte = data[at]
            at += 1
            if shift < 64 { value |= UInt64(byte & 0x7f) << UInt64(shift) }
            if byte < 0x80 { return value }
        }
        throw Failure("varint longer than 10 bytes")
    }

    static func fields(_ data: [UInt8]) throws -> [(number: Int, value: Value)] {
        var at = 0
        var out: [(Int, Value)] = []
        while at < data.count {
            let key = try varint(data, &at)
            let number = Int(key >> 3)
            switch key & 7 {
            case 0: out.append((number, .varint(try varint(data, &at))))
            case 2:
                let length = Int(try varint(data, &at))
                guard length <= data.count - at else { throw Failure("truncated length-delimited field") }
                out.append((number, .bytes(Array(data[at..<at + length]))))
                at += length
            case 1: at += 8
            case 5: at += 4
            default: throw Failure("wire type \(key & 7)")
            }
        }
        guard at == data.count else { throw Failure("fixed-width field runs past the end") }
        return out
    }

    /// Values of a repeated varint field, packed or not.
    private static func varints(_ value: Value) throws -> [UInt64] {
        switch value {
        case .varint(let v): return [v]
        case .bytes(let packed):
            var out: [UInt64] = []
            var at = 0
            while at < packed.count { out.append(try varint(packed, &at)) }
            return out
        }
    }

    private static func number(_ value: Value) throws -> UInt64 {
        guard case .varint(let v) = value else { throw Failure("expected a varint") }
        return v
    }

    private static func message(_ value: Value) throws -> [(number: Int, value: Value)] {
        guard case .bytes(let b) = value else { throw Failure("expected a message") }
        return try fields(b)
    }

    static func decode(_ data: [UInt8]) throws -> Decoded {
        let top = try fields(data)
        var strings: [String] = []
        for (n, v) in top where n == 6 {
            guard case .bytes(let b) = v else { throw Failure("string table entry is not bytes") }
            strings.append(String(decoding: b, as: UTF8.self))
        }
        guard strings.first == "" else { throw Failure("string table does not start with \"\"") }
        func string(_ index: UInt64) throws -> String {
            guard index < strings.count else { throw Failure("string index \(index) of \(strings.count)") }
            return strings[Int(index)]
        }
        func valueType(_ value: Value) throws -> (String, String) {
            var type: UInt64 = 0
            var unit: UInt64 = 0
            for (n, v) in try message(value) {
                if n == 1 { type = try number(v) } else if n == 2 { unit = try number(v) }
            }
            return (try string(type), try string(unit))
        }

        var decoded = Decoded(
            strings: strings, sampleTypes: [], samples: [], mappings: [], locations: [:], functions: [:],
            comments: [], periodType: nil, period: 0)
        for (n, v) in top {
            switch n {
            case 1: decoded.sampleTypes.append(try valueType(v))
            case 2:
                var sample = Sample(locationIDs: [], values: [])
                for (k, x) in try message(v) {
                    if k == 1 { sample.locationIDs += try varints(x) }
                    if k == 2 { sample.values += try varints(x).map { Int64(bitPattern: $0) } }
                }
                decoded.samples.append(sample)
            case 3:
                var mapping = Mapping(
                    id: 0, memoryStart: 0, memoryLimit: 0, filename: "", hasFunctions: false, hasLineNumbers: false,
                    hasInlineFrames: false)
                for (k, x) in try message(v) {
                    switch k {
                    case 1: mapping.id = try number(x)
                    case 2: mapping.memoryStart = try number(x)
                    case 3: mapping.memoryLimit = try number(x)
                    case 5: mapping.filename = try string(try number(x))
                    case 7: mapping.hasFunctions = try number(x) != 0
                    case 9: mapping.hasLineNumbers = try number(x) != 0
                    case 10: mapping.hasInlineFrames = try number(x) != 0
                    default: break
                    }
                }
                decoded.mappings.append(mapping)
            case 4:
                var location = Location(id: 0, mappingID: 0, address: 0, lines: [])
                for (k, x) in try message(v) {
                    switch k {
                    case 1: location.id = try number(x)
                    case 2: location.mappingID = try number(x)
                    case 3: location.address = try number(x)
                    case 4:
                        var line = Line(functionID: 0, line: 0)
                        for (j, y) in try message(x) {
                            if j == 1 { line.functionID = try number(y) }
                            if j == 2 { line.line = Int64(bitPattern: try number(y)) }
                        }
                        location.lines.append(line)
                    default: break
                    }
                }
                guard location.id != 0, decoded.locations[location.id] == nil else {
                    throw Failure("location id \(location.id) is zero or repeated")
                }
                decoded.locations[location.id] = location
            case 5:
                var function = Function(id: 0, name: "", systemName: "", filename: "", startLine: 0)
                for (k, x) in try message(v) {
                    switch k {
                    case 1: function.id = try number(x)
                    case 2: function.name = try string(try number(x))
                    case 3: function.systemName = try string(try number(x))
                    case 4: function.filename = try string(try number(x))
                    case 5: function.startLine = Int64(bitPattern: try number(x))
                    default: break
                    }
                }
                guard function.id != 0, decoded.functions[function.id] == nil else {
                    throw Failure("function id \(function.id) is zero or repeated")
                }
                decoded.functions[function.id] = function
            case 11: decoded.periodType = try valueType(v)
            case 12: decoded.period = Int64(bitPattern: try number(v))
            case 13: decoded.comments += try varints(v).map { try string($0) }
            default: break
            }
        }
        for sample in decoded.samples {
            for id in sample.locationIDs where decoded.locations[id] == nil {
                throw Failure("sample refers to missing location \(id)")
            }
        }
        for location in decoded.locations.values {
            for line in location.lines where decoded.functions[line.functionID] == nil {
                throw Failure("location \(location.id) refers to missing function \(line.functionID)")
            }
        }
        return decoded
    }
}
