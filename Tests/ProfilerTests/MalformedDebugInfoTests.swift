import RV32IM
import XCTest

@testable import Profiler

/// Debug information comes from outside: whatever its bytes, reading it gives names and lines or a warning, never
/// a trap, and the run still profiles.
final class MalformedDebugInfoTests: XCTestCase {
    private func sections(_ file: [UInt8]) throws -> ELFSections { try ELFSections(file) }

    func testRandomCorruptionNeverTraps() throws {
        let original = try ProfileTests.vector("profile", "program.elf")
        let program = try Program(bytes: original)
        let table = try sections(original).sections
        // Corrupt the section headers, the symbol and string tables, the line table and the debugging entries.
        let corrupted = [
            ".symtab", ".strtab", ".debug_line", ".debug_line_str", ".debug_info", ".debug_abbrev", ".debug_addr",
            ".debug_rnglists", ".debug_str_offsets",
        ]
        let targets = table.filter { corrupted.contains($0.name) }
            .map { $0.offset..<($0.offset + $0.size) }
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
        let line = try XCTUnwrap(try sections(bytes).section(named: ".debug_line"))
        // DWARF version 9 in the first unit.
        bytes[line.offset + 4] = 9
        bytes[line.offset + 5] = 0
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
