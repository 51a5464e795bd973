/// The function symbols of an ELF file's `.symtab`: name, start address and size, for naming addresses.
public struct SymbolTable: Sendable {
    /// One function.
    public struct Function: Equatable, Sendable {
        /// The symbol's name, as the linker wrote it (C names are not mangled).
        public var name: String
        /// Address of the first instruction.
        public var start: UInt32
        /// Size in bytes; 0 when the symbol does not say (the function then reaches the next one).
        public var size: UInt32

        public init(name: String, start: UInt32, size: UInt32) {
            (self.name, self.start, self.size) = (name, start, size)
        }
    }

    /// The functions in ascending address order, one per address.
    public let functions: [Function]

    /// A table of the given functions; where several start at one address, the first one given is kept.
    public init(functions: [Function]) {
        var seen = Set<UInt32>()
        self.functions = functions.enumerated()
            .sorted { ($0.element.start, $0.offset) < ($1.element.start, $1.offset) }
            .map(\.element)
            .filter { seen.insert($0.start).inserted }
    }

    private static let entrySize = 16
    private static let typeFunction: UInt8 = 2
    private static let bindingGlobal: UInt8 = 1
    private static let bindingWeak: UInt8 = 2

    /// The `STT_FUNC` symbols of the file's `.symtab` (global and weak names preferred over local ones at the same
    /// address); an empty table when the file has none (it was stripped).
    init(file: [UInt8], sections: ELFSections) throws(ProfilerError) {
        guard let table = sections.sections.first(where: { $0.type == ELFSections.typeSymbolTable }) else {
            self.init(functions: [])
            return
        }
        guard table.link < sections.sections.count else {
            throw .malformedSymbols("string table index \(table.link) of \(sections.sections.count) sections")
        }
        let strings = sections.sections[table.link]
        guard table.offset + table.size <= file.count, strings.offset + strings.size <= file.count else {
            throw .malformedSymbols("the symbol table or its string table runs past the end of the file")
        }
        var preferred: [Function] = []
        var local: [Function] = []
        var cursor = ByteCursor(file, from: table.offset, to: table.offset + table.size) { _, reason in
            .malformedSymbols(reason)
        }
        while cursor.remaining >= SymbolTable.entrySize {
            let nameOffset = Int(try cursor.u32())
            let value = try cursor.u32()
            let size = try cursor.u32()
            let info = try cursor.u8()
            try cursor.skip(3)  // st_other, st_shndx
            guard info & 0xf == SymbolTable.typeFunction else { continue }
            guard nameOffset < strings.size else {
                throw .malformedSymbols("a symbol name at \(nameOffset) lies outside its \(strings.size)-byte table")
            }
            var name = ByteCursor(file, from: strings.offset + nameOffset, to: strings.offset + strings.size) {
                _, reason in .malformedSymbols(reason)
            }
            let function = Function(name: try name.cString(), start: value, size: size)
            let binding = info >> 4
            if binding == SymbolTable.bindingGlobal || binding == SymbolTable.bindingWeak {
                preferred.append(function)
            } else {
                local.append(function)
            }
        }
        self.init(functions: preferred + local)
    }

    /// The function that holds `address`: the last one starting at or below it, if `address` is within its size
    /// (or the symbol has no size).
    public func function(containing address: UInt32) -> Function? {
        var low = 0
        var high = functions.count
        while low < high {
            let middle = (low + high) / 2
            if functions[middle].start <= address { low = middle + 1 } else { high = middle }
        }
        guard low > 0 else { return nil }
        let candidate = functions[low - 1]
        if candidate.size == 0 || UInt64(address) < UInt64(candidate.start) + UInt64(candidate.size) {
            return candidate
        }
        return nil
    }
}
