/// Everything that can go wrong while reading a program's debug information or writing a profile.
///
/// Debug information is optional: a caller that meets one of the reading errors can still profile by address
/// (``Symbolizer/init(programFile:)`` does exactly that and keeps the error as a warning).
public enum ProfilerError: Error, Equatable, Sendable {
    /// The ELF section header table, a section's bytes or a string in a string table lies outside the file, or a
    /// header field is inconsistent. The file is truncated or was written by a broken tool; rebuild it.
    case malformedSections(String)
    /// The symbol table (`.symtab`) is inconsistent: an entry or a name lies outside its section. Rebuild the
    /// program, or strip it to profile by address.
    case malformedSymbols(String)
    /// The DWARF line table (`.debug_line`) could not be decoded: `offset` is where in the section the unit or
    /// field that failed starts. Rebuild with `-g`, or without it to profile by function only.
    case malformedLineTable(offset: Int, reason: String)
    /// The DWARF debugging entries (`.debug_info` with `.debug_abbrev` and the sections they point into) could not
    /// be decoded: `offset` is the start of the unit in `.debug_info`. Only inlined functions are read from them;
    /// the profile goes on without.
    case malformedDebugInfo(offset: Int, reason: String)
    /// The profile could not be written to `path`. Pick a path in a directory that exists and is writable.
    case cannotWrite(path: String, reason: String)
}

extension ProfilerError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .malformedSections(let reason): return "malformed ELF section headers: \(reason)"
        case .malformedSymbols(let reason): return "malformed symbol table: \(reason)"
        case .malformedLineTable(let offset, let reason):
            return "malformed DWARF line table at .debug_line offset \(offset): \(reason)"
        case .malformedDebugInfo(let offset, let reason):
            return "malformed DWARF debugging entries at .debug_info offset \(offset): \(reason)"
        case .cannotWrite(let path, let reason): return "cannot write profile \(path): \(reason)"
        }
    }
}
