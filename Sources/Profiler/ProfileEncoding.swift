/// The protocol buffer encoding of a ``Profile``, message `perftools.profiles.Profile` of pprof's
/// `proto/profile.proto`. Field numbers used:
///
///     Profile   1 sample_type  2 sample  3 mapping  4 location  5 function  6 string_table  11 period_type
///               12 period  13 comment  14 default_sample_type
///     ValueType 1 type  2 unit                                   (string table indices)
///     Sample    1 location_id (packed)  2 value (packed)
///     Mapping   1 id  2 memory_start  3 memory_limit  5 filename  7 has_functions  8 has_filenames
///               9 has_line_numbers  10 has_inline_frames
///     Location  1 id  2 mapping_id  3 address  4 line (repeated: innermost inlined function first)
///     Line      1 function_id  2 line
///     Function  1 id  2 name  3 system_name  4 filename  5 start_line
///
/// Strings are indices into the string table, whose entry 0 is "". Fields equal to zero are left out, as proto3
/// does.
extension Profile {
    /// The serialized `Profile` message.
    public func encoded() -> [UInt8] {
        var strings = StringTable()
        var out = ProtobufWriter()

        let cycles = strings.index("cycles")
        let count = strings.index("count")
        out.message(field: 1, ProtobufWriter.valueType(type: cycles, unit: count))

        for sample in samples {
            var message = ProtobufWriter()
            message.packed(field: 1, sample.locationIDs)
            message.packed(field: 2, [UInt64(bitPattern: sample.cycles)])
            out.message(field: 2, message)
        }

        var map = ProtobufWriter()
        map.varint(field: 1, 1)
        map.varint(field: 2, UInt64(mapping.start))
        map.varint(field: 3, mapping.limit)
        map.varint(field: 5, strings.index(mapping.file))
        map.varint(field: 7, mapping.hasFunctions ? 1 : 0)
        map.varint(field: 8, mapping.hasLines ? 1 : 0)
        map.varint(field: 9, mapping.hasLines ? 1 : 0)
        map.varint(field: 10, mapping.hasInlineFrames ? 1 : 0)
        out.message(field: 3, map)

        for location in locations {
            var message = ProtobufWriter()
            message.varint(field: 1, location.id)
            message.varint(field: 2, 1)
            message.varint(field: 3, UInt64(location.address))
            for line in location.lines {
                var entry = ProtobufWriter()
                entry.varint(field: 1, line.functionID)
                entry.varint(field: 2, UInt64(bitPattern: line.line))
                message.message(field: 4, entry)
            }
            out.message(field: 4, message)
        }

        for function in functions {
            var message = ProtobufWriter()
            message.varint(field: 1, function.id)
            let name = strings.index(function.name)
            message.varint(field: 2, name)
            message.varint(field: 3, name)
            message.varint(field: 4, strings.index(function.file))
            message.varint(field: 5, UInt64(bitPattern: function.startLine))
            out.message(field: 5, message)
        }

        // The string table is complete once every other field has taken its indices, so it is written here;
        // a reader must accept fields in any order.
        let commentIndices = comments.map { strings.index($0) }
        for string in strings.strings { out.bytes(field: 6, Array(string.utf8)) }
        out.message(field: 11, ProtobufWriter.valueType(type: cycles, unit: count))
        out.varint(field: 12, 1)
        for index in commentIndices { out.varint(field: 13, index) }
        out.varint(field: 14, cycles)
        return out.bytes
    }

    /// The gzip file `pprof` reads: ``encoded()``, compressed.
    public func gzipped() -> [UInt8] { Gzip.compress(encoded()) }
}

/// Strings and their indices, "" first.
private struct StringTable {
    private(set) var strings: [String] = [""]
    private var indices: [String: UInt64] = ["": 0]

    mutating func index(_ string: String) -> UInt64 {
        if let known = indices[string] { return known }
        let index = UInt64(strings.count)
        strings.append(string)
        indices[string] = index
        return index
    }
}

/// Writes protocol buffer fields (wire types 0, varint, and 2, length-delimited).
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    private mutating func rawVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    private mutating func key(_ field: Int, wireType: UInt64) { rawVarint(UInt64(field) << 3 | wireType) }

    /// A varint field; zero is the default and is left out.
    mutating func varint(field: Int, _ value: UInt64) {
        guard value != 0 else { return }
        key(field, wireType: 0)
        rawVarint(value)
    }

    /// A length-delimited field holding `content`.
    mutating func bytes(field: Int, _ content: [UInt8]) {
        key(field, wireType: 2)
        rawVarint(UInt64(content.count))
        bytes.append(contentsOf: content)
    }

    mutating func message(field: Int, _ message: ProtobufWriter) { bytes(field: field, message.bytes) }

    /// A packed repeated varint field.
    mutating func packed(field: Int, _ values: [UInt64]) {
        var content = ProtobufWriter()
        for value in values { content.rawVarint(value) }
        bytes(field: field, content.bytes)
    }

    static func valueType(type: UInt64, unit: UInt64) -> ProtobufWriter {
        var message = ProtobufWriter()
        message.varint(field: 1, type)
        message.varint(field: 2, unit)
        return message
    }
}
