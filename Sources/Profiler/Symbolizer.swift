import RV32IM

/// Names code addresses: the function (from the ELF symbol table) and the source position (from the DWARF line
/// table) of each instruction, where the program file has them.
///
/// Debug information is optional. A stripped ELF file or a raw image has neither; its profile then names each
/// function by the address of its entry, as calls revealed it (``ProfileBuilder`` supplies the call targets).
/// Debug information that cannot be decoded is dropped and reported in ``warnings``; it never stops a profile.
public struct Symbolizer: Sendable {
    /// The functions of `.symtab` (empty when the file has none).
    public let symbols: SymbolTable
    /// The source lines of `.debug_line` (empty when the file has none).
    public let lines: LineTable
    /// Why some debug information was left out (malformed sections), one sentence each.
    public let warnings: [String]

    /// Reads the debug information of `programFile`, the bytes `program` was loaded from.
    public init(programFile: [UInt8], program: Program) {
        var warnings: [String] = []
        var symbols = SymbolTable(functions: [])
        var lines = LineTable.empty
        do {
            let sections = try ELFSections(programFile)
            do {
                symbols = try SymbolTable(file: programFile, sections: sections)
            } catch {
                warnings.append("\(error); naming functions by address")
            }
            if let debugLine = sections.section(named: ".debug_line") {
                let empty: ArraySlice<UInt8> = []
                let lineStrings = sections.section(named: ".debug_line_str").map {
                    sections.contents(of: $0, in: programFile)
                }
                let strings = sections.section(named: ".debug_str").map { sections.contents(of: $0, in: programFile) }
                let code = program.segments.filter(\.executable)
                do {
                    lines = try LineTable(
                        debugLine: sections.contents(of: debugLine, in: programFile),
                        lineStrings: lineStrings ?? empty, strings: strings ?? empty,
                        keep: { address in
                            code.contains { $0.address <= address && UInt64(address) < $0.end }
                        })
                } catch {
                    warnings.append("\(error); profiling without source lines")
                }
            }
        } catch {
            warnings.append("\(error); profiling by address")
        }
        (self.symbols, self.lines, self.warnings) = (symbols, lines, warnings)
    }

    /// A symbolizer from tables already built.
    public init(symbols: SymbolTable, lines: LineTable) {
        (self.symbols, self.lines, self.warnings) = (symbols, lines, [])
    }
}
