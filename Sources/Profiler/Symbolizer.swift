import RV32IM

/// Names code addresses: the function (from the ELF symbol table), the source position (from the DWARF line
/// table) and the inlined calls (from the DWARF debugging entries) of each instruction, where the program file
/// has them.
///
/// Debug information is optional. A stripped ELF file or a raw image has none; its profile then names each
/// function by the address of its entry, as calls revealed it (``ProfileBuilder`` supplies the call targets).
/// Debug information that cannot be decoded is dropped and reported in ``warnings``; it never stops a profile.
public struct Symbolizer: Sendable {
    /// The functions of `.symtab` (empty when the file has none).
    public let symbols: SymbolTable
    /// The source lines of `.debug_line` (empty when the file has none).
    public let lines: LineTable
    /// The inlined calls of `.debug_info` (empty when the file has none).
    public let inlines: InlineTable
    /// Why some debug information was left out (malformed sections), one sentence each.
    public let warnings: [String]

    /// Reads the debug information of `programFile`, the bytes `program` was loaded from.
    public init(programFile: [UInt8], program: Program) {
        var warnings: [String] = []
        var symbols = SymbolTable(functions: [])
        var lines = LineTable.empty
        var inlines = InlineTable.empty
        do {
            let sections = try ELFSections(programFile)
            func contents(_ name: String) -> [UInt8] {
                sections.section(named: name).map { Array(sections.contents(of: $0, in: programFile)) } ?? []
            }
            do {
                symbols = try SymbolTable(file: programFile, sections: sections)
            } catch {
                warnings.append("\(error); naming functions by address")
            }
            let debug = DebugSections(
                info: contents(".debug_info"), abbrev: contents(".debug_abbrev"), strings: contents(".debug_str"),
                lineStrings: contents(".debug_line_str"), stringOffsets: contents(".debug_str_offsets"),
                addresses: contents(".debug_addr"), rangeLists: contents(".debug_rnglists"),
                oldRanges: contents(".debug_ranges"))
            let code = program.segments.filter(\.executable)
            do {
                lines = try LineTable(
                    debugLine: contents(".debug_line")[...], lineStrings: debug.lineStrings[...],
                    strings: debug.strings[...],
                    keep: { address in code.contains { $0.address <= address && UInt64(address) < $0.end } })
            } catch {
                warnings.append("\(error); profiling without source lines")
            }
            do {
                inlines = try InlineTable(sections: debug, lines: lines)
            } catch {
                warnings.append("\(error); profiling without inlined functions")
            }
        } catch {
            warnings.append("\(error); profiling by address")
        }
        (self.symbols, self.lines, self.inlines, self.warnings) = (symbols, lines, inlines, warnings)
    }

    /// A symbolizer from tables already built.
    public init(symbols: SymbolTable, lines: LineTable, inlines: InlineTable = .empty) {
        (self.symbols, self.lines, self.inlines, self.warnings) = (symbols, lines, inlines, [])
    }
}
