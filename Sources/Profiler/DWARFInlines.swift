/// The inlined calls of a program, from its DWARF debugging entries (`.debug_info`, DWARF 4 and 5 §3.3.8): for
/// each `DW_TAG_inlined_subroutine`, the inlined function's name, the code ranges it covers and where its caller
/// called it. An address inside inlined code then stands for a chain of calls, outermost first, that the symbol
/// table alone cannot show.
///
/// Only what that needs is decoded: unit headers, abbreviations, and the attributes name, linkage name, abstract
/// origin, specification, low/high pc, ranges, call file and call line, with the string, address and range-list
/// sections they point into. Every other attribute is skipped by its form.
public struct InlineTable: Sendable {
    /// One inlined call: the function that was inlined, and the position of the call in its caller.
    public struct Call: Equatable, Sendable {
        public var name: String
        public var file: String
        public var line: Int

        public init(name: String, file: String, line: Int) { (self.name, self.file, self.line) = (name, file, line) }
    }

    private struct Range {
        var start: UInt32
        var end: UInt32
        /// Nesting depth in the entry tree: outer calls are shallower.
        var depth: Int
        var call: Int
    }

    private var calls: [Call] = []
    private var ranges: [Range] = []

    /// A table with no inlined calls.
    public static let empty = InlineTable()

    private init() {}

    public var isEmpty: Bool { ranges.isEmpty }

    /// The inlined calls whose code holds `address`, outermost first (empty outside inlined code).
    public func calls(at address: UInt32) -> [Call] {
        var low = 0
        var high = ranges.count
        while low < high {
            let middle = (low + high) / 2
            if ranges[middle].start <= address { low = middle + 1 } else { high = middle }
        }
        var found: [Range] = []
        for range in ranges[..<low] where address < range.end { found.append(range) }
        return found.sorted { $0.depth < $1.depth }.map { calls[$0.call] }
    }

    /// Decodes every compilation unit of `sections.info`. `lines` names the files of `DW_AT_call_file`.
    init(sections: DebugSections, lines: LineTable) throws(ProfilerError) {
        var names: [Int: String] = [:]
        var origins: [Int: Int] = [:]
        var pending: [(origin: Int, ranges: [(UInt32, UInt32)], file: String, line: Int, depth: Int)] = []
        var unitStart = 0
        while unitStart < sections.info.count {
            var unit = try InfoUnit(sections: sections, start: unitStart)
            try unit.walk { entry, depth, unit throws(ProfilerError) in
                if let name = entry.name { names[entry.offset] = name }
                if let origin = entry.origin { origins[entry.offset] = origin }
                guard entry.tag == InfoUnit.tagInlinedSubroutine, let origin = entry.origin else { return }
                let ranges = try unit.ranges(of: entry)
                guard !ranges.isEmpty else { return }
                let file = entry.callFile.flatMap { index in
                    unit.lineUnit.flatMap { lines.fileName(unit: $0, index: index) }
                }
                pending.append((origin, ranges, file ?? "", entry.callLine ?? 0, depth))
            }
            unitStart = unit.end
        }
        // A name may sit on the abstract origin's own specification or origin: follow a few links.
        func name(of offset: Int) -> String? {
            var current = offset
            for _ in 0..<8 {
                if let name = names[current] { return name }
                guard let next = origins[current] else { return nil }
                current = next
            }
            return nil
        }
        for call in pending {
            let index = calls.count
            calls.append(Call(name: name(of: call.origin) ?? "<inlined>", file: call.file, line: call.line))
            for (start, end) in call.ranges where end > start {
                ranges.append(Range(start: start, end: end, depth: call.depth, call: index))
            }
        }
        ranges.sort { ($0.start, $0.depth) < ($1.start, $1.depth) }
    }
}

/// The sections the debugging entries refer to (empty when the file lacks one).
struct DebugSections {
    var info: [UInt8] = []
    var abbrev: [UInt8] = []
    var strings: [UInt8] = []
    var lineStrings: [UInt8] = []
    var stringOffsets: [UInt8] = []
    var addresses: [UInt8] = []
    var rangeLists: [UInt8] = []
    /// `.debug_ranges`, DWARF 4's range lists.
    var oldRanges: [UInt8] = []
}

/// One compilation unit of `.debug_info`: its header, abbreviations and the bases its unit entry sets.
private struct InfoUnit {
    static let tagCompileUnit: UInt64 = 0x11
    static let tagPartialUnit: UInt64 = 0x3c
    static let tagInlinedSubroutine: UInt64 = 0x1d

    /// The attributes of one entry that inlined calls need.
    struct Entry {
        var offset = 0
        var tag: UInt64 = 0
        var name: String?
        var origin: Int?
        var lowPC: UInt64?
        /// High pc as an address, or as an offset from low pc (`highIsOffset`).
        var highPC: UInt64?
        var highIsOffset = false
        var ranges: (value: UInt64, isIndex: Bool)?
        var callFile: Int?
        var callLine: Int?
    }

    struct Abbreviation {
        var tag: UInt64
        var hasChildren: Bool
        var attributes: [(name: UInt64, form: UInt64, implicit: Int64)]
    }

    let sections: DebugSections
    let start: Int
    private(set) var end = 0
    private var version = 0
    private var offsetSize = 4
    private var addressSize = 4
    private var entriesStart = 0
    private var abbreviations: [UInt64: Abbreviation] = [:]
    /// Set by the unit entry.
    private var stringOffsetsBase = 8
    private var addressBase = 8
    private var rangeListsBase = 12
    private var baseAddress: UInt64 = 0
    /// `DW_AT_stmt_list`: the unit's line table, an offset in `.debug_line`.
    private(set) var lineUnit: Int?

    private func failure(_ reason: String) -> ProfilerError { .malformedDebugInfo(offset: start, reason: reason) }

    private func cursor(_ bytes: [UInt8], from: Int, to: Int) -> ByteCursor {
        let unit = start
        return ByteCursor(bytes, from: from, to: to) { position, reason in
            .malformedDebugInfo(offset: unit, reason: "\(reason) (at offset \(position))")
        }
    }

    init(sections: DebugSections, start: Int) throws(ProfilerError) {
        (self.sections, self.start) = (sections, start)
        var header = cursor(sections.info, from: start, to: sections.info.count)
        var length = UInt64(try header.u32())
        if length == 0xffff_ffff {
            length = try header.u64()
            offsetSize = 8
        } else if length >= 0xffff_fff0 {
            throw failure("reserved unit length \(length)")
        }
        guard length <= UInt64(header.remaining) else { throw failure("unit of \(length) bytes runs past the end") }
        end = header.position + Int(length)
        version = Int(try header.u16())
        guard (2...5).contains(version) else { throw failure("DWARF version \(version) (2 to 5 are supported)") }
        var abbreviationOffset: UInt64
        if version >= 5 {
            let unitType = try header.u8()
            addressSize = Int(try header.u8())
            abbreviationOffset = try header.unsigned(offsetSize)
            switch unitType {
            case 1, 3: break  // DW_UT_compile, DW_UT_partial
            default:
                // Type, skeleton and split units hold no code of this file: skip them.
                entriesStart = end
                return
            }
        } else {
            abbreviationOffset = try header.unsigned(offsetSize)
            addressSize = Int(try header.u8())
        }
        guard (1...8).contains(addressSize) else { throw failure("address size \(addressSize)") }
        entriesStart = header.position
        abbreviations = try InfoUnit.abbreviations(
            sections.abbrev, at: Int(clamping: abbreviationOffset), unit: start)
    }

    private static func abbreviations(
        _ section: [UInt8], at offset: Int, unit: Int
    ) throws(ProfilerError) -> [UInt64: Abbreviation] {
        guard offset < section.count else {
            throw .malformedDebugInfo(offset: unit, reason: "abbreviations at \(offset) outside .debug_abbrev")
        }
        var reader = ByteCursor(section, from: offset, to: section.count) { position, reason in
            .malformedDebugInfo(offset: unit, reason: "abbreviation: \(reason) (at .debug_abbrev offset \(position))")
        }
        var table: [UInt64: Abbreviation] = [:]
        while true {
            let code = try reader.uleb()
            if code == 0 { return table }
            let tag = try reader.uleb()
            let hasChildren = try reader.u8() != 0
            var attributes: [(UInt64, UInt64, Int64)] = []
            while true {
                let name = try reader.uleb()
                let form = try reader.uleb()
                if name == 0 && form == 0 { break }
                attributes.append((name, form, form == 0x21 ? try reader.sleb() : 0))  // DW_FORM_implicit_const
            }
            table[code] = Abbreviation(tag: tag, hasChildren: hasChildren, attributes: attributes)
        }
    }

    /// Calls `visit` with every entry, its depth (the unit entry at 0) and the unit as the entries before it set
    /// it up (bases, line table), in order.
    mutating func walk(_ visit: (Entry, Int, InfoUnit) throws(ProfilerError) -> Void) throws(ProfilerError) {
        var reader = cursor(sections.info, from: entriesStart, to: end)
        var depth = 0
        var first = true
        while !reader.isAtEnd {
            let offset = reader.position
            let code = try reader.uleb()
            if code == 0 {
                depth -= 1
                if depth < 0 { return }
                continue
            }
            guard let abbreviation = abbreviations[code] else { throw failure("unknown abbreviation \(code)") }
            var entry = Entry(offset: offset, tag: abbreviation.tag)
            var stringIndex: UInt64?
            var lowIndex: UInt64?
            for attribute in abbreviation.attributes {
                let value = try read(&reader, form: attribute.form, implicit: attribute.implicit)
                switch (attribute.name, value) {
                case (0x03, .string(let name)): entry.name = name  // DW_AT_name
                case (0x03, .stringIndex(let index)): stringIndex = index
                case (0x6e, .string(let name)), (0x2007, .string(let name)):  // DW_AT_linkage_name
                    if entry.name == nil { entry.name = name }
                case (0x31, .reference(let target)), (0x47, .reference(let target)):  // abstract_origin, specification
                    entry.origin = target
                case (0x11, .address(let address)): entry.lowPC = address  // DW_AT_low_pc
                case (0x11, .addressIndex(let index)): lowIndex = index
                case (0x12, .address(let address)): entry.highPC = address  // DW_AT_high_pc
                case (0x12, .addressIndex(let index)): entry.highPC = try indexedAddress(index)
                case (0x12, .constant(let value)): (entry.highPC, entry.highIsOffset) = (value, true)
                case (0x55, .constant(let value)), (0x55, .sectionOffset(let value)):  // DW_AT_ranges
                    entry.ranges = (value, false)
                case (0x55, .rangeListIndex(let index)): entry.ranges = (index, true)
                case (0x58, .constant(let value)): entry.callFile = Int(clamping: value)  // DW_AT_call_file
                case (0x59, .constant(let value)): entry.callLine = Int(clamping: value)  // DW_AT_call_line
                case (0x10, .constant(let value)), (0x10, .sectionOffset(let value)):  // DW_AT_stmt_list
                    if first { lineUnit = Int(clamping: value) }
                case (0x72, .sectionOffset(let value)): if first { stringOffsetsBase = Int(clamping: value) }
                case (0x73, .sectionOffset(let value)): if first { addressBase = Int(clamping: value) }
                case (0x74, .sectionOffset(let value)): if first { rangeListsBase = Int(clamping: value) }
                default: break
                }
            }
            // Indices are resolved once the whole entry is read: the unit entry sets its own bases.
            if let stringIndex { entry.name = try indexedString(stringIndex) }
            if let lowIndex { entry.lowPC = try indexedAddress(lowIndex) }
            if first {
                baseAddress = entry.lowPC ?? 0
                first = false
            }
            try visit(entry, depth, self)
            if abbreviation.hasChildren { depth += 1 }
        }
    }

    private enum Value {
        case address(UInt64)
        case addressIndex(UInt64)
        case constant(UInt64)
        case sectionOffset(UInt64)
        case reference(Int)
        case string(String)
        case stringIndex(UInt64)
        case rangeListIndex(UInt64)
        case other
    }

    /// Reads one attribute value of any DWARF 2-5 form.
    private func read(_ reader: inout ByteCursor, form: UInt64, implicit: Int64) throws(ProfilerError) -> Value {
        switch form {
        case 0x01: return .address(try reader.unsigned(addressSize))  // addr
        case 0x1b: return .addressIndex(try reader.uleb())  // addrx
        case 0x29, 0x2a, 0x2b, 0x2c: return .addressIndex(try reader.unsigned(Int(form - 0x28)))  // addrx1-4
        case 0x0b: return .constant(try reader.unsigned(1))  // data1
        case 0x05: return .constant(try reader.unsigned(2))  // data2
        case 0x06: return .constant(try reader.unsigned(4))  // data4
        case 0x07: return .constant(try reader.unsigned(8))  // data8
        case 0x0f: return .constant(try reader.uleb())  // udata
        case 0x0d: return .constant(UInt64(bitPattern: try reader.sleb()))  // sdata
        case 0x21: return .constant(UInt64(bitPattern: implicit))  // implicit_const
        case 0x0c: return .constant(UInt64(try reader.u8()))  // flag
        case 0x19: return .other  // flag_present
        case 0x17: return .sectionOffset(try reader.unsigned(offsetSize))  // sec_offset
        case 0x11, 0x12, 0x13, 0x14:  // ref1, ref2, ref4, ref8: from the unit's start
            let size = [1, 2, 4, 8][Int(form - 0x11)]
            return .reference(start &+ Int(clamping: try reader.unsigned(size)))
        case 0x15: return .reference(start &+ Int(clamping: try reader.uleb()))  // ref_udata
        case 0x10: return .reference(Int(clamping: try reader.unsigned(version <= 2 ? addressSize : offsetSize)))
        case 0x20:
            try reader.skip(8)
            return .other  // ref_sig8
        case 0x1c:
            try reader.skip(4)
            return .other  // ref_sup4
        case 0x24:
            try reader.skip(8)
            return .other  // ref_sup8
        case 0x08: return .string(try reader.cString())  // string
        case 0x0e, 0x1f, 0x1d:  // strp, line_strp, strp_sup
            let offset = Int(clamping: try reader.unsigned(offsetSize))
            if form == 0x1d { return .other }
            return .string(try string(form == 0x1f ? sections.lineStrings : sections.strings, at: offset))
        case 0x1a: return .stringIndex(try reader.uleb())  // strx
        case 0x25, 0x26, 0x27, 0x28: return .stringIndex(try reader.unsigned(Int(form - 0x24)))  // strx1-4
        case 0x23: return .rangeListIndex(try reader.uleb())  // rnglistx
        case 0x22:
            _ = try reader.uleb()
            return .other  // loclistx
        case 0x18, 0x09:
            try reader.skip(Int(clamping: try reader.uleb()), "block")
            return .other  // exprloc, block
        case 0x0a:
            try reader.skip(Int(try reader.u8()), "block1")
            return .other
        case 0x03:
            try reader.skip(Int(try reader.u16()), "block2")
            return .other
        case 0x04:
            try reader.skip(Int(try reader.u32()), "block4")
            return .other
        case 0x1e:
            try reader.skip(16, "data16")
            return .other
        case 0x16:  // indirect: the form comes first
            let actual = try reader.uleb()
            guard actual != 0x16 else { throw failure("DW_FORM_indirect naming itself") }
            return try read(&reader, form: actual, implicit: implicit)
        default: throw failure("attribute form 0x\(String(form, radix: 16))")
        }
    }

    private func string(_ section: [UInt8], at offset: Int) throws(ProfilerError) -> String {
        guard offset < section.count else { throw failure("string offset \(offset) outside its section") }
        var reader = cursor(section, from: offset, to: section.count)
        return try reader.cString()
    }

    private func indexedString(_ index: UInt64) throws(ProfilerError) -> String {
        let at = UInt64(stringOffsetsBase) &+ min(index, 1 << 40) * UInt64(offsetSize)
        guard at < UInt64(sections.stringOffsets.count) else { throw failure("string index \(index) out of range") }
        var reader = cursor(sections.stringOffsets, from: Int(at), to: sections.stringOffsets.count)
        return try string(sections.strings, at: Int(clamping: try reader.unsigned(offsetSize)))
    }

    private func indexedAddress(_ index: UInt64) throws(ProfilerError) -> UInt64 {
        let at = UInt64(addressBase) &+ min(index, 1 << 40) * UInt64(addressSize)
        guard at < UInt64(sections.addresses.count) else { throw failure("address index \(index) out of range") }
        var reader = cursor(sections.addresses, from: Int(at), to: sections.addresses.count)
        return try reader.unsigned(addressSize)
    }

    /// The code ranges of an entry: low and high pc, or its range list (DWARF 5 `.debug_rnglists`, DWARF 4
    /// `.debug_ranges`), as 32-bit [start, end) pairs.
    func ranges(of entry: Entry) throws(ProfilerError) -> [(UInt32, UInt32)] {
        func clip(_ start: UInt64, _ end: UInt64) -> (UInt32, UInt32)? {
            guard start < end, end <= 1 << 32 else { return nil }
            return (UInt32(start), UInt32(end))
        }
        if let low = entry.lowPC, let high = entry.highPC {
            return clip(low, entry.highIsOffset ? low &+ high : high).map { [$0] } ?? []
        }
        guard let (value, isIndex) = entry.ranges else { return [] }
        if version < 5 {
            return try oldRangeList(at: Int(clamping: value)).compactMap { clip($0.0, $0.1) }
        }
        var offset = Int(clamping: value)
        if isIndex {
            let at = UInt64(rangeListsBase) &+ min(value, 1 << 40) * UInt64(offsetSize)
            guard at < UInt64(sections.rangeLists.count) else { throw failure("range list index \(value)") }
            var reader = cursor(sections.rangeLists, from: Int(at), to: sections.rangeLists.count)
            offset = rangeListsBase &+ Int(clamping: try reader.unsigned(offsetSize))
        }
        return try rangeList(at: offset).compactMap { clip($0.0, $0.1) }
    }

    /// A DWARF 5 range list (§2.17.3): entries until `DW_RLE_end_of_list`.
    private func rangeList(at offset: Int) throws(ProfilerError) -> [(UInt64, UInt64)] {
        guard offset >= 0, offset < sections.rangeLists.count else {
            throw failure("range list at \(offset) outside its section")
        }
        var reader = cursor(sections.rangeLists, from: offset, to: sections.rangeLists.count)
        var base = baseAddress
        var out: [(UInt64, UInt64)] = []
        while true {
            switch try reader.u8() {
            case 0: return out  // end_of_list
            case 1: base = try indexedAddress(try reader.uleb())  // base_addressx
            case 2: out.append((try indexedAddress(try reader.uleb()), try indexedAddress(try reader.uleb())))
            case 3:  // startx_length
                let start = try indexedAddress(try reader.uleb())
                out.append((start, start &+ (try reader.uleb())))
            case 4: out.append((base &+ (try reader.uleb()), base &+ (try reader.uleb())))  // offset_pair
            case 5: base = try reader.unsigned(addressSize)  // base_address
            case 6: out.append((try reader.unsigned(addressSize), try reader.unsigned(addressSize)))  // start_end
            case 7:  // start_length
                let start = try reader.unsigned(addressSize)
                out.append((start, start &+ (try reader.uleb())))
            case let kind: throw failure("range list entry kind \(kind)")
            }
        }
    }

    /// A DWARF 4 range list (§2.17.3 of DWARF 4): address pairs relative to the unit's base address, a pair
    /// whose first address is all ones selects a new base, and (0, 0) ends the list.
    private func oldRangeList(at offset: Int) throws(ProfilerError) -> [(UInt64, UInt64)] {
        guard offset < sections.oldRanges.count else { throw failure("range list at \(offset) outside its section") }
        var reader = cursor(sections.oldRanges, from: offset, to: sections.oldRanges.count)
        let allOnes: UInt64 = addressSize >= 8 ? .max : (1 << (8 * UInt64(addressSize))) - 1
        var base = baseAddress
        var out: [(UInt64, UInt64)] = []
        while true {
            let start = try reader.unsigned(addressSize)
            let end = try reader.unsigned(addressSize)
            if start == 0 && end == 0 { return out }
            if start == allOnes {
                base = end
            } else {
                out.append((base &+ start, base &+ end))
            }
        }
    }
}
