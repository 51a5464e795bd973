import RV32IM

/// A guest's cycles by call stack, in the shape of pprof's `profile.proto` (github.com/google/pprof,
/// `proto/profile.proto`): samples point at locations, locations at functions. ``encoded()`` writes the protocol
/// buffer and ``gzipped()`` the file `pprof` reads.
///
/// Sample type `cycles`, unit `count`; one sample per distinct stack, its value the cycles spent there, so the
/// values add up to ``totalCycles``.
public struct Profile: Equatable, Sendable {
    /// One distinct stack and the cycles spent on it.
    public struct Sample: Equatable, Sendable {
        /// Location ids, the executing instruction first, then each call site outwards.
        public var locationIDs: [UInt64]
        /// Cycles with exactly this stack.
        public var cycles: Int64
    }

    /// One instruction address: the executing instruction of a sample or a call site.
    public struct Location: Equatable, Sendable {
        /// Positive, unique; ids are 1, 2, … in address order.
        public var id: UInt64
        public var address: UInt32
        /// The functions the address is in, innermost first: the functions inlined there (if any), then the
        /// function the symbol table puts the address in. Empty when no function is known.
        public var lines: [Line]
    }

    /// A function and a line in it.
    public struct Line: Equatable, Sendable {
        /// An id in ``functions``.
        public var functionID: UInt64
        /// Source line (0 when unknown): for an inlined function's caller, the line of the inlined call.
        public var line: Int64
    }

    /// One function, as named by the symbol table or the debugging entries of an inlined call (or by its entry
    /// address); one per name and source file.
    public struct Function: Equatable, Sendable {
        /// Positive, unique; ids are 1, 2, … in (name, file) order.
        public var id: UInt64
        public var name: String
        /// The source file of its lines ("" when unknown).
        public var file: String
        /// The line of its first instruction, when that lies in `file` (else 0, and 0 for an inlined function).
        public var startLine: Int64
    }

    /// Where the program's code lies, and what the names and lines came from.
    public struct Mapping: Equatable, Sendable {
        public var start: UInt32
        /// One past the last code byte, as a 64-bit value (code may end at 2^32).
        public var limit: UInt64
        /// The program file, as the user named it.
        public var file: String
        /// Whether function names come from a symbol table (otherwise they are entry addresses).
        public var hasFunctions: Bool
        /// Whether locations carry source files and lines.
        public var hasLines: Bool
        /// Whether locations carry the functions inlined at their address.
        public var hasInlineFrames: Bool
    }

    public var samples: [Sample]
    public var locations: [Location]
    public var functions: [Function]
    public var mapping: Mapping
    /// Free-text notes (the program id, how the run ended).
    public var comments: [String]
    /// The execution's cycle count: the sum of every sample's value.
    public var totalCycles: UInt64
}

/// Builds a ``Profile`` from a ``CallTree`` and the program's debug information.
public enum ProfileBuilder {
    /// The profile of the cycles in `tree`. Addresses that the symbol table does not cover are named after the
    /// nearest call target at or below them, written `0x0001002c` (or after themselves when there is none):
    /// in a stripped program, that is the function's entry address.
    public static func build(
        tree: CallTree, program: Program, symbolizer: Symbolizer, programFile: String, comments: [String] = []
    ) -> Profile {
        // 1. The addresses that need a location: every executing pc and every call site on a path.
        let cycles = tree.cycles
        var addresses = Set<UInt32>()
        for key in cycles.keys { addresses.insert(UInt32(truncatingIfNeeded: key)) }
        for node in tree.nodes.dropFirst() { addresses.insert(node.callSite) }

        // 2. Name each address: the inlined calls there, then its symbol, else the entry point seen in calls; each
        //    with its source position.
        let entries = SymbolTable(
            functions: (tree.callTargets.union([program.entry])).map {
                SymbolTable.Function(name: hexAddress($0), start: $0, size: 0)
            })
        var functionKeys = Set<FunctionKey>()
        var named: [UInt32: [(key: FunctionKey, line: Int64)]] = [:]
        for address in addresses {
            guard
                let function = symbolizer.symbols.function(containing: address)
                    ?? entries.function(containing: address)
            else { continue }
            let position = symbolizer.lines.position(of: address)
            // Innermost first: the code's own position belongs to the innermost inlined function; each inlined
            // call's position belongs to the function it was inlined into.
            var frames: [(key: FunctionKey, line: Int64)] = []
            var file = position?.file ?? ""
            var line = Int64(position?.line ?? 0)
            for call in symbolizer.inlines.calls(at: address).reversed() {
                frames.append((FunctionKey(name: call.name, file: file, start: nil), line))
                (file, line) = (call.file, Int64(call.line))
            }
            frames.append((FunctionKey(name: function.name, file: file, start: function.start), line))
            functionKeys.formUnion(frames.map(\.key))
            named[address] = frames
        }

        // 3. Functions and locations, numbered in a fixed order so the same run gives the same bytes.
        var functions: [Profile.Function] = []
        var functionIDs: [FunctionKey: UInt64] = [:]
        for key in functionKeys.sorted() {
            let id = UInt64(functions.count + 1)
            functionIDs[key] = id
            let first = key.start.flatMap { symbolizer.lines.position(of: $0) }
            let startLine = first.map { $0.file == key.file ? Int64($0.line) : 0 } ?? 0
            functions.append(Profile.Function(id: id, name: key.name, file: key.file, startLine: startLine))
        }
        var locations: [Profile.Location] = []
        var locationIDs: [UInt32: UInt64] = [:]
        for address in addresses.sorted() {
            let id = UInt64(locations.count + 1)
            locationIDs[address] = id
            let lines = (named[address] ?? []).map { Profile.Line(functionID: functionIDs[$0.key]!, line: $0.line) }
            locations.append(Profile.Location(id: id, address: address, lines: lines))
        }

        // 4. One sample per (path, pc), in location order.
        var paths: [Int: [UInt64]] = [:]
        var samples: [Profile.Sample] = []
        samples.reserveCapacity(cycles.count)
        for (key, count) in cycles {
            let node = Int(key >> 32)
            let pc = UInt32(truncatingIfNeeded: key)
            let path: [UInt64]
            if let known = paths[node] {
                path = known
            } else {
                path = tree.callSites(of: node).map { locationIDs[$0]! }
                paths[node] = path
            }
            samples.append(Profile.Sample(locationIDs: [locationIDs[pc]!] + path, cycles: Int64(count)))
        }
        samples.sort { $0.locationIDs.lexicographicallyPrecedes($1.locationIDs) }

        let code = program.segments.filter(\.executable)
        let mapping = Profile.Mapping(
            start: code.map(\.address).min() ?? 0, limit: code.map(\.end).max() ?? 0, file: programFile,
            hasFunctions: !symbolizer.symbols.functions.isEmpty, hasLines: !symbolizer.lines.isEmpty,
            hasInlineFrames: !symbolizer.inlines.isEmpty)
        return Profile(
            samples: samples, locations: locations, functions: functions, mapping: mapping, comments: comments,
            totalCycles: tree.totalCycles)
    }

    /// An address as profiles name functions without a symbol: `0x` and eight lowercase hex digits.
    public static func hexAddress(_ address: UInt32) -> String {
        let digits = String(address, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }

    private struct FunctionKey: Hashable, Comparable {
        var name: String
        var file: String
        /// The symbol's address; `nil` for a function known only from an inlined call.
        var start: UInt32?

        static func < (a: FunctionKey, b: FunctionKey) -> Bool {
            (a.name, a.file, a.start.map { Int64($0) } ?? -1) < (b.name, b.file, b.start.map { Int64($0) } ?? -1)
        }
    }
}
