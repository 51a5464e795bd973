/// The section header table of an ELF32 little-endian file: what the profiler needs to find `.symtab`, its string
/// table and the DWARF sections (System V gABI, "Sections").
///
/// Loading (``RV32IM/Program``) reads only program headers; a program runs without any section. So a file without
/// a section table (or with an empty one) simply has no sections here.
struct ELFSections {
    struct Section {
        var name: String
        var type: UInt32
        var address: UInt32
        var offset: Int
        var size: Int
        /// `sh_link`: for a symbol table, the index of its string table.
        var link: Int
        /// `sh_entsize`: the size of one entry for tables of fixed-size entries.
        var entrySize: Int
    }

    static let typeSymbolTable: UInt32 = 2
    static let typeNoBits: UInt32 = 8

    let sections: [Section]

    /// Reads the section headers of `file`. A file that is not little-endian ELF32 (a raw image) has no sections
    /// as far as this reader goes; an ELF64 or big-endian file does not load in the first place.
    init(_ file: [UInt8]) throws(ProfilerError) {
        var header = ByteCursor(file, from: 0, to: file.count) { _, reason in .malformedSections(reason) }
        guard file.count >= 52, file[0..<4] == [0x7f, 0x45, 0x4c, 0x46], file[4] == 1, file[5] == 1 else {
            sections = []
            return
        }
        header.position = 32
        let tableOffset = Int(try header.u32())
        header.position = 46
        let entrySize = Int(try header.u16())
        let count = Int(try header.u16())
        let namesIndex = Int(try header.u16())
        guard tableOffset != 0, count != 0 else {
            sections = []
            return
        }
        guard entrySize >= 40 else {
            throw .malformedSections("section header entries of \(entrySize) bytes, expected at least 40")
        }
        guard tableOffset + entrySize * count <= file.count else {
            throw .malformedSections(
                "\(count) section headers at offset \(tableOffset) run past the end of the \(file.count)-byte file")
        }
        var raw: [(nameOffset: Int, section: Section)] = []
        for index in 0..<count {
            var entry = ByteCursor(file, from: tableOffset + index * entrySize, to: file.count) { _, reason in
                .malformedSections(reason)
            }
            let nameOffset = Int(try entry.u32())
            let type = try entry.u32()
            _ = try entry.u32()  // flags
            let address = try entry.u32()
            let offset = Int(try entry.u32())
            let size = Int(try entry.u32())
            let link = Int(try entry.u32())
            _ = try entry.u32()  // info
            _ = try entry.u32()  // alignment
            let fixedSize = Int(try entry.u32())
            if type != ELFSections.typeNoBits && type != 0 && offset + size > file.count {
                throw .malformedSections("section \(index) (offset \(offset), \(size) bytes) runs past the end")
            }
            raw.append(
                (
                    nameOffset,
                    Section(
                        name: "", type: type, address: address, offset: offset, size: size, link: link,
                        entrySize: fixedSize)
                ))
        }
        var named = raw.map(\.section)
        if namesIndex != 0 {
            guard namesIndex < count else {
                throw .malformedSections("section name table index \(namesIndex) of \(count) sections")
            }
            let names = raw[namesIndex].section
            for index in named.indices {
                var cursor = ByteCursor(file, from: names.offset + raw[index].nameOffset, to: names.offset + names.size)
                {
                    _, reason in .malformedSections("name of section \(index): \(reason)")
                }
                if raw[index].nameOffset >= names.size {
                    throw .malformedSections("name of section \(index) lies outside the section name table")
                }
                named[index].name = try cursor.cString()
            }
        }
        sections = named
    }

    /// The first section called `name` that has bytes in the file.
    func section(named name: String) -> Section? {
        sections.first { $0.name == name && $0.type != ELFSections.typeNoBits }
    }

    /// The bytes of `section` (empty for one that occupies no file space).
    func contents(of section: Section, in file: [UInt8]) -> ArraySlice<UInt8> {
        guard section.type != ELFSections.typeNoBits, section.offset + section.size <= file.count else { return [] }
        return file[section.offset..<(section.offset + section.size)]
    }
}
