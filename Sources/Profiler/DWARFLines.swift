/// Source lines for code addresses, decoded from a DWARF `.debug_line` section (DWARF versions 2 to 5, 32- and
/// 64-bit formats; DWARF 5 §6.2), as clang emits for riscv32 with `-g`, `-gdwarf-4` or `-gdwarf-5`.
///
/// Each unit's line-number program is run on the DWARF state machine; every pair of consecutive rows of a
/// sequence gives an address range and its file and line. Ranges are kept sorted, so a lookup is a binary search.
public struct LineTable: Sendable {
    /// A source position: file (as the compiler named it, joined to its directory) and line (0: none).
    public struct Position: Equatable, Hashable, Sendable {
        public var file: String
        public var line: Int

        public init(file: String, line: Int) { (self.file, self.line) = (file, line) }
    }

    private struct Range {
        var start: UInt32
        var end: UInt32
        var file: Int
        var line: Int
    }

    /// The distinct file names, indexed by `Range.file`.
    private var files: [String] = []
    private var ranges: [Range] = []
    /// Each unit's file names by the unit's offset in `.debug_line` (`DW_AT_stmt_list`), indexed as the unit's
    /// line program numbers them, for the call positions of inlined functions.
    private var unitFiles: [Int: (first: Int, names: [String])] = [:]

    /// A table with no lines, for programs built without `-g`.
    public static let empty = LineTable()

    private init() {}

    /// Whether the table knows no address at all.
    public var isEmpty: Bool { ranges.isEmpty }

    /// Decodes every unit of a `.debug_line` section. `lineStrings` is `.debug_line_str` and `strings` is
    /// `.debug_str` (DWARF 5 file tables point into them); `keep` says which addresses are code, so that the
    /// sequences of functions the linker removed (moved to address 0 or a tombstone) are dropped.
    init(
        debugLine: ArraySlice<UInt8>, lineStrings: ArraySlice<UInt8>, strings: ArraySlice<UInt8>,
        keep: (UInt32) -> Bool
    ) throws(ProfilerError) {
        let section = Array(debugLine)
        let context = StringSections(line: Array(lineStrings), plain: Array(strings))
        var fileIndex: [String: Int] = [:]
        var unitStart = 0
        while unitStart < section.count {
            var unit = UnitDecoder(section: section, start: unitStart, strings: context)
            let (nextUnit, rows) = try unit.decode()
            let first = unit.version >= 5 ? 0 : 1
            unitFiles[unitStart] = (first, (0..<unit.fileEntries.count).map { unit.fileName($0 + first) })
            for (row, next) in zip(rows, rows.dropFirst()) where !row.endSequence && next.address > row.address {
                guard keep(row.address) else { continue }
                let name = unit.fileName(row.file)
                let id: Int
                if let known = fileIndex[name] {
                    id = known
                } else {
                    id = files.count
                    files.append(name)
                    fileIndex[name] = id
                }
                ranges.append(Range(start: row.address, end: next.address, file: id, line: row.line))
            }
            unitStart = nextUnit
        }
        // Stable order by start address: where ranges overlap, the one met first wins.
        ranges = ranges.enumerated().sorted { ($0.element.start, $0.offset) < ($1.element.start, $1.offset) }
            .map(\.element)
    }

    /// The name of file `index` in the line table unit at `unit` (an offset in `.debug_line`).
    func fileName(unit: Int, index: Int) -> String? {
        guard let files = unitFiles[unit], files.names.indices.contains(index - files.first) else { return nil }
        return files.names[index - files.first]
    }

    /// The source position of the instruction at `address`, if a sequence covers it.
    public func position(of address: UInt32) -> Position? {
        var low = 0
        var high = ranges.count
        while low < high {
            let middle = (low + high) / 2
            if ranges[middle].start <= address { low = middle + 1 } else { high = middle }
        }
        // The last range starting at or below `address` usually holds it; a few more back cover overlaps.
        var index = low - 1
        while index >= 0 && index >= low - 4 {
            let range = ranges[index]
            if address < range.end { return Position(file: files[range.file], line: range.line) }
            index -= 1
        }
        return nil
    }
}

/// The string sections DWARF 5 file tables refer to.
private struct StringSections {
    var line: [UInt8]
    var plain: [UInt8]
}

/// One row of the line-number matrix (only the columns a profile uses).
private struct LineRow {
    var address: UInt32
    var file: Int
    var line: Int
    var endSequence: Bool
}

/// Decodes one unit of `.debug_line`: its header, then its line-number program.
private struct UnitDecoder {
    let section: [UInt8]
    let start: Int
    let strings: StringSections
    /// Directory names, indexed as the unit's file entries index them.
    var directories: [String] = []
    /// File entries: name and directory index, indexed as the program's `file` register indexes them.
    var fileEntries: [(name: String, directory: Int)] = []
    var version = 0

    init(section: [UInt8], start: Int, strings: StringSections) {
        (self.section, self.start, self.strings) = (section, start, strings)
    }

    private func cursor(from: Int, to: Int) -> ByteCursor {
        let unit = start
        return ByteCursor(section, from: from, to: to) { position, reason in
            .malformedLineTable(offset: unit, reason: "\(reason) (at offset \(position))")
        }
    }

    private func failure(_ reason: String) -> ProfilerError { .malformedLineTable(offset: start, reason: reason) }

    /// The file name for the program's `file` register value, joined to its directory unless already absolute.
    func fileName(_ index: Int) -> String {
        // DWARF 5 numbers files from 0; earlier versions from 1.
        let slot = version >= 5 ? index : index - 1
        guard fileEntries.indices.contains(slot) else { return "<file \(index)>" }
        let entry = fileEntries[slot]
        if entry.name.hasPrefix("/") { return entry.name }
        // Before DWARF 5, directory 0 is the compilation directory, which only .debug_info names.
        let directorySlot = version >= 5 ? entry.directory : entry.directory - 1
        guard directories.indices.contains(directorySlot), !directories[directorySlot].isEmpty else {
            return entry.name
        }
        let directory = directories[directorySlot]
        return directory.hasSuffix("/") ? directory + entry.name : directory + "/" + entry.name
    }

    /// Reads the unit and returns the offset of the next unit and the rows of its line-number program.
    mutating func decode() throws(ProfilerError) -> (next: Int, rows: [LineRow]) {
        var header = cursor(from: start, to: section.count)
        var length = UInt64(try header.u32())
        var offsetSize = 4
        if length == 0xffff_ffff {
            length = try header.u64()
            offsetSize = 8
        } else if length >= 0xffff_fff0 {
            throw failure("reserved unit length \(length)")
        }
        guard length <= UInt64(header.remaining) else {
            throw failure("unit of \(length) bytes runs past the end of the \(section.count)-byte section")
        }
        let unitEnd = header.position + Int(length)
        header = cursor(from: header.position, to: unitEnd)
        version = Int(try header.u16())
        guard (2...5).contains(version) else { throw failure("DWARF version \(version) (2 to 5 are supported)") }
        var addressSize = 4
        if version >= 5 {
            addressSize = Int(try header.u8())
            _ = try header.u8()  // segment selector size
        }
        let headerLength = Int(clamping: try header.unsigned(offsetSize))
        guard headerLength <= header.remaining else { throw failure("header length \(headerLength) exceeds the unit") }
        let programStart = header.position + headerLength
        let minimumInstructionLength = UInt32(try header.u8())
        if version >= 4 { _ = try header.u8() }  // maximum operations per instruction: 1 on RISC-V
        _ = try header.u8()  // default_is_stmt: every row is kept, statement or not
        let lineBase = Int(Int8(bitPattern: try header.u8()))
        let lineRange = Int(try header.u8())
        guard lineRange > 0 else { throw failure("line_range is 0") }
        let opcodeBase = Int(try header.u8())
        guard opcodeBase > 0 else { throw failure("opcode_base is 0") }
        var argumentCounts: [Int] = [0]
        for _ in 1..<opcodeBase { argumentCounts.append(Int(try header.u8())) }

        if version >= 5 {
            directories = try entryTable(&header, offsetSize: offsetSize).map(\.name)
            fileEntries = try entryTable(&header, offsetSize: offsetSize)
        } else {
            while true {
                let directory = try header.cString()
                if directory.isEmpty { break }
                directories.append(directory)
            }
            while true {
                let name = try header.cString()
                if name.isEmpty { break }
                let directory = Int(clamping: try header.uleb())
                _ = try header.uleb()  // modification time
                _ = try header.uleb()  // length
                fileEntries.append((name, directory))
            }
        }

        var program = cursor(from: programStart, to: unitEnd)
        let rows = try run(
            &program, addressSize: addressSize, minimumInstructionLength: minimumInstructionLength,
            lineBase: lineBase, lineRange: lineRange, opcodeBase: opcodeBase, argumentCounts: argumentCounts)
        return (unitEnd, rows)
    }

    /// A DWARF 5 directory or file-name table: an entry format, then entries; returns each entry's path and
    /// directory index.
    private func entryTable(
        _ header: inout ByteCursor, offsetSize: Int
    ) throws(ProfilerError)
        -> [(name: String, directory: Int)]
    {
        let formatCount = Int(try header.u8())
        var format: [(content: UInt64, form: UInt64)] = []
        for _ in 0..<formatCount { format.append((try header.uleb(), try header.uleb())) }
        let count = try header.uleb()
        guard count <= UInt64(header.remaining) else { throw failure("\(count) entries in a table of fewer bytes") }
        var entries: [(name: String, directory: Int)] = []
        for _ in 0..<count {
            var name = ""
            var directory = 0
            for (content, form) in format {
                let value = try attribute(&header, form: form, offsetSize: offsetSize)
                switch (content, value) {
                case (1, .string(let path)): name = path  // DW_LNCT_path
                case (2, .number(let index)): directory = Int(clamping: index)  // DW_LNCT_directory_index
                default: break
                }
            }
            entries.append((name, directory))
        }
        return entries
    }

    private enum AttributeValue {
        case string(String)
        case number(UInt64)
        case other
    }

    /// Reads one attribute value of the forms DWARF 5 allows in line table headers.
    private func attribute(
        _ cursor: inout ByteCursor, form: UInt64, offsetSize: Int
    ) throws(ProfilerError)
        -> AttributeValue
    {
        switch form {
        case 0x08: return .string(try cursor.cString())  // DW_FORM_string
        case 0x1f, 0x0e:  // DW_FORM_line_strp, DW_FORM_strp
            let offset = try cursor.unsigned(offsetSize)
            let table = form == 0x1f ? strings.line : strings.plain
            guard offset < UInt64(table.count) else {
                throw failure("string offset \(offset) outside its \(table.count)-byte section")
            }
            let unit = start
            var reader = ByteCursor(table, from: Int(offset), to: table.count) { _, reason in
                .malformedLineTable(offset: unit, reason: "file table string: \(reason)")
            }
            return .string(try reader.cString())
        case 0x0b: return .number(try cursor.unsigned(1))  // DW_FORM_data1
        case 0x05: return .number(try cursor.unsigned(2))  // DW_FORM_data2
        case 0x06: return .number(try cursor.unsigned(4))  // DW_FORM_data4
        case 0x07: return .number(try cursor.unsigned(8))  // DW_FORM_data8
        case 0x0f: return .number(try cursor.uleb())  // DW_FORM_udata
        case 0x0d:
            _ = try cursor.sleb()
            return .other  // DW_FORM_sdata
        case 0x1e:
            try cursor.skip(16, "DW_FORM_data16")
            return .other
        case 0x09:
            try cursor.skip(Int(clamping: try cursor.uleb()), "DW_FORM_block")
            return .other
        default: throw failure("attribute form 0x\(String(form, radix: 16)) in a file table")
        }
    }

    /// Runs the line-number program (DWARF 5 §6.2.5) and returns its rows, end-of-sequence rows included.
    private func run(
        _ program: inout ByteCursor, addressSize: Int, minimumInstructionLength: UInt32, lineBase: Int,
        lineRange: Int, opcodeBase: Int, argumentCounts: [Int]
    ) throws(ProfilerError) -> [LineRow] {
        let firstFile = 1
        var rows: [LineRow] = []
        var address: UInt32 = 0
        var file = firstFile
        var line = 1
        func emit(end: Bool) {
            rows.append(LineRow(address: address, file: file, line: max(0, line), endSequence: end))
        }
        while !program.isAtEnd {
            let opcode = Int(try program.u8())
            if opcode >= opcodeBase {
                let adjusted = opcode - opcodeBase
                address &+= UInt32(adjusted / lineRange) &* minimumInstructionLength
                line &+= lineBase + adjusted % lineRange
                emit(end: false)
                continue
            }
            switch opcode {
            case 0:  // extended opcode
                let length = Int(clamping: try program.uleb())
                try program.need(length, "extended opcode")
                guard length > 0 else { continue }
                let end = program.position + length
                let sub = try program.u8()
                switch sub {
                case 1:  // DW_LNE_end_sequence
                    emit(end: true)
                    (address, file, line) = (0, firstFile, 1)
                case 2:  // DW_LNE_set_address
                    address = UInt32(truncatingIfNeeded: try program.unsigned(min(length - 1, addressSize)))
                default: break  // DW_LNE_define_file, DW_LNE_set_discriminator, vendor extensions
                }
                program.position = end
            case 1: emit(end: false)  // DW_LNS_copy
            case 2:  // DW_LNS_advance_pc
                address &+= UInt32(truncatingIfNeeded: try program.uleb()) &* minimumInstructionLength
            case 3: line &+= Int(truncatingIfNeeded: try program.sleb())  // DW_LNS_advance_line
            case 4: file = Int(clamping: try program.uleb())  // DW_LNS_set_file
            case 8:  // DW_LNS_const_add_pc
                address &+= UInt32((255 - opcodeBase) / lineRange) &* minimumInstructionLength
            case 9: address &+= UInt32(try program.u16())  // DW_LNS_fixed_advance_pc
            default:  // column, statement and block flags, prologue/epilogue, ISA, and unknown standard opcodes
                for _ in 0..<argumentCounts[opcode] { _ = try program.uleb() }
            }
        }
        return rows
    }
}
