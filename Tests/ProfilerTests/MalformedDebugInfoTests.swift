import Profiler
import RV32IM
import XCTest

/// Debug information comes from outside: whatever its bytes, reading it gives names and lines or a warning, never
/// a trap, and the run still profiles.
final class MalformedDebugInfoTests: XCTestCase {
    /// The file range of each named section, read here from the ELF32 section headers (System V gABI).
    private func sections(_ file: [UInt8]) -> [String: Range<Int>] {
        func u32(_ at: Int) -> Int { (0..<4).reduce(0) { $0 | Int(file[at + $1]) << (8 * $1) } }
        func u16(_ at: Int) -> Int { Int(file[at]) | Int(file[at + 1]) << 8 }
        let (table, size, count, namesIndex) = (u32(32), u16(46), u16(48), u16(50))
        let names = u32(table + namesIndex * size + 16)
        var out: [String: Range<Int>] = [:]
        for index in 0..<count {
            let header = table + index * size
            let nameStart = names + u32(header)
            let nameEnd = file[nameStart...].firstIndex(of: 0)!
            let offset = u32(header + 16)
            out[String(decoding: file[nameStart..<nameEnd], as: UTF8.self)] = offset..<(offset + u32(header + 20))
        }
        return out
    }

    func testRandomCorruptionNeverTraps() throws {
        let original = try ProfileTests.vector("profile", "program.elf")
        let program = try Program(bytes: original)
        let table = sections(original)
        // Corrupt the section headers, the symbol and string tables, the line table and the debugging entries.
        let corrupted = [
            ".symtab", ".strtab", ".debug_line", ".debug_line_str", ".debug_info", ".debug_abbrev", ".debug_addr",
            ".debug_rnglists", ".debug_str_offsets",
        ]
        let targets = corrupted.map { table[$0]! }
        let headerStart = Int(original[32]) | Int(original[33]) << 8 | Int(original[34]) << 16
        let regions = targets + [headerStart..<original.count]
        var state: UInt64 = 11
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33)
        }
        var warned = 0
        for round in 0..<900 {
            var bytes = original
            let region = regions[round % regions.count]
            for _ in 0..<(1 + next() % 8) {
                bytes[region.lowerBound + next() % region.count] = UInt8(truncatingIfNeeded: next())
            }
            let symbolizer = Symbolizer(programFile: bytes, program: program)
            if !symbolizer.warnings.isEmpty { warned += 1 }
            // Whatever was read, naming every address of the code works.
            for address in stride(from: UInt32(0x10000), to: 0x10130, by: 4) {
                _ = symbolizer.symbols.function(containing: address)
                _ = symbolizer.lines.position(of: address)
                _ = symbolizer.inlines.calls(at: address)
            }
        }
        XCTAssertGreaterThan(warned, 0, "some corruption must be noticed")
    }

    func testTruncatedFilesNeverTrap() throws {
        let original = try ProfileTests.vector("profile", "program.elf")
        let program = try Program(bytes: original)
        for length in stride(from: 0, through: original.count, by: 97) {
            _ = Symbolizer(programFile: Array(original.prefix(length)), program: program)
        }
    }

    func testLineTableErrorsAreTypedAndTheProfileGoesOn() throws {
        var bytes = try ProfileTests.vector("profile", "program.elf")
        let line = try XCTUnwrap(sections(bytes)[".debug_line"])
        // DWARF version 9 in the first unit.
        bytes[line.lowerBound + 4] = 9
        bytes[line.lowerBound + 5] = 0
        let program = try Program(bytes: bytes)
        let symbolizer = Symbolizer(programFile: bytes, program: program)
        XCTAssertEqual(
            symbolizer.warnings,
            [
                ProfilerError.malformedLineTable(offset: 0, reason: "DWARF version 9 (2 to 5 are supported)")
                    .description + "; profiling without source lines"
            ])
        XCTAssertTrue(symbolizer.lines.isEmpty)
        XCTAssertEqual(symbolizer.symbols.function(containing: 0x10030)?.name, "g")
        let run = try ProfileTests.profile(bytes, input: try ProfileTests.vector("profile", "input.bin"))
        XCTAssertEqual(run.profile.functionCosts().first?.name, "g")
        XCTAssertEqual(run.decoded.mappings.first?.hasLineNumbers, false)
    }

    func testSectionTableOutsideTheFileIsReported() throws {
        var bytes = try ProfileTests.vector("profile", "program.elf")
        // e_shoff far beyond the end of the file.
        bytes[32..<36] = [0, 0, 0, 0x10]
        let symbolizer = Symbolizer(programFile: bytes, program: try Program(bytes: bytes))
        XCTAssertEqual(symbolizer.warnings.count, 1)
        XCTAssertTrue(symbolizer.warnings[0].hasPrefix("malformed ELF section headers: "), symbolizer.warnings[0])
        XCTAssertTrue(symbolizer.symbols.functions.isEmpty)
    }
}
