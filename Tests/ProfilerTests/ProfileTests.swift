import Foundation
import Profiler
import RV32IM
import XCTest

/// Profiles of real guests, built in process and read back by ``ProfileDecoder``: the samples add up to the
/// cycle count, the known call chain of `Vectors/programs/profile` appears with its names and lines, DWARF 4 and
/// DWARF 5 agree, and a stripped ELF or a raw image profiles by entry address.
final class ProfileTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func vector(_ name: String, _ file: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: root.appendingPathComponent("Vectors/programs/\(name)/\(file)")))
    }

    struct Run {
        var profile: Profile
        var decoded: ProfileDecoder.Decoded
        var cycles: UInt64
        var symbolizer: Symbolizer
    }

    /// Runs `bytes` on `input` with a call tree attached; returns the profile and its decoding. The program's
    /// own debug information names it unless `symbolizer` is given.
    static func profile(
        _ bytes: [UInt8], input: [UInt8] = [], name: String = "program.elf", symbolizer given: Symbolizer? = nil
    ) throws -> Run {
        let program = try Program(bytes: bytes)
        let machine = try Machine(program: program, input: input)
        var tree = CallTree()
        let result = try machine.run(chunkRows: 1000) { tree.record($0) }
        let symbolizer = given ?? Symbolizer(programFile: bytes, program: program)
        let profile = ProfileBuilder.build(
            tree: tree, program: program, symbolizer: symbolizer, programFile: name, comments: ["test"])
        return Run(
            profile: profile, decoded: try ProfileDecoder.decode(gzipped: profile.gzipped()), cycles: result.cycles,
            symbolizer: symbolizer)
    }

    static func example(_ file: String) throws -> Run {
        try profile(try vector("profile", file), input: try vector("profile", "input.bin"), name: file)
    }

    /// The line of `main.c` in the example that contains `text`.
    static func line(_ text: String) throws -> Int64 {
        let source = try String(
            contentsOf: root.appendingPathComponent("Vectors/programs/profile/main.c"), encoding: .utf8)
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        return Int64(lines.firstIndex { $0.contains(text) }! + 1)
    }

    func testSamplesAddUpToTheCycleCount() throws {
        var runs = [try ProfileTests.example("program.elf"), try ProfileTests.example("program-stripped.elf")]
        for name in ["fibonacci", "sha256", "sort"] {
            runs.append(
                try ProfileTests.profile(
                    try ProfileTests.vector(name, "program.elf"), input: try ProfileTests.vector(name, "input.bin")))
        }
        for run in runs {
            let values = run.decoded.samples.map { $0.values }
            XCTAssertTrue(values.allSatisfy { $0.count == 1 && $0[0] > 0 })
            XCTAssertEqual(UInt64(values.map { $0[0] }.reduce(0, +)), run.cycles)
            XCTAssertEqual(run.profile.totalCycles, run.cycles)
            XCTAssertEqual(run.decoded.sampleTypes.map { "\($0.type)/\($0.unit)" }, ["cycles/count"])
            XCTAssertEqual(run.decoded.periodType.map { "\($0.type)/\($0.unit)" }, "cycles/count")
            XCTAssertEqual(run.decoded.period, 1)
            XCTAssertEqual(run.decoded.comments, ["test"])
            // One sample per distinct stack.
            XCTAssertEqual(Set(run.decoded.samples.map(\.locationIDs)).count, run.decoded.samples.count)
            // The root of every stack is the entry function.
            let entry = run.decoded.samples.map { run.decoded.names($0).last! }
            XCTAssertEqual(Set(entry).count, 1)
        }
    }

    func testKnownCallChainHasNamesAndLines() throws {
        for file in ["program.elf", "program-dwarf4.elf"] {
            let run = try ProfileTests.example(file)
            let decoded = run.decoded
            let (hot, callF, firstG) = (
                try ProfileTests.line("acc = acc *"), try ProfileTests.line("f(seed) + h(seed)"),
                try ProfileTests.line("g(x, 1000)")
            )
            let chain = decoded.samples.filter { decoded.names($0) == ["g", "f", "main", "_start"] }
            XCTAssertFalse(chain.isEmpty, file)
            XCTAssertTrue(chain.contains { decoded.lines($0)[0] == ("main.c", hot) }, file)
            for sample in chain {
                let lines = decoded.lines(sample)
                XCTAssertTrue([firstG, firstG + 1].contains(lines[1].line) && lines[1].file == "main.c", file)
                XCTAssertTrue(lines[2] == ("main.c", callF), "\(file): \(lines)")
            }
            // Both calls from f to g are distinct stacks; g's two call sites carry their own lines.
            XCTAssertEqual(Set(chain.map { decoded.lines($0)[1].line }), [firstG, firstG + 1], file)
            // h ends in a tail call to g, so g runs in h's frame: main → g, through main's call of h.
            let tail = decoded.samples.filter { decoded.names($0) == ["g", "main", "_start"] }
            XCTAssertFalse(tail.isEmpty, file)
            XCTAssertTrue(tail.allSatisfy { decoded.lines($0)[1] == ("main.c", callF) }, file)
            XCTAssertTrue(decoded.samples.contains { decoded.names($0) == ["h", "main", "_start"] }, file)
            // Functions carry their file and first line; the mapping says names and lines are present.
            let g = decoded.functions.values.first { $0.name == "g" && $0.filename.hasSuffix("main.c") }
            XCTAssertNotNil(g, file)
            XCTAssertGreaterThan(g?.startLine ?? 0, 0, file)
            XCTAssertEqual(g?.systemName, "g")
            XCTAssertEqual(decoded.mappings.count, 1)
            XCTAssertEqual(decoded.mappings.first?.filename, file)
            XCTAssertEqual(decoded.mappings.first?.hasFunctions, true)
            XCTAssertEqual(decoded.mappings.first?.hasLineNumbers, true)
            XCTAssertEqual(decoded.mappings.first?.hasInlineFrames, true)
            XCTAssertEqual(decoded.mappings.first?.memoryStart, 0x10000)
            XCTAssertTrue(decoded.locations.values.allSatisfy { $0.mappingID == 1 })
        }
    }

    func testFunctionCostsOfTheExample() throws {
        let run = try ProfileTests.example("program.elf")
        let costs = Dictionary(uniqueKeysWithValues: run.profile.functionCosts().map { ($0.name, $0) })
        XCTAssertEqual(run.profile.functionCosts().first?.name, "g")
        XCTAssertEqual(costs["_start"]?.totalCycles, run.cycles)
        XCTAssertEqual(run.profile.functionCosts().map(\.selfCycles).reduce(0, +), run.cycles)
        // f's total is its own cycles plus those of the two calls to g: 1,000 and 500 iterations of four
        // instructions, with each call's entry check and return.
        let f = try XCTUnwrap(costs["f"])
        XCTAssertEqual(f.totalCycles - f.selfCycles, (1000 + 500) * 4 + 2 * 6)
        // h's 200 iterations of g run in main's frame (tail call): g's total minus f's share.
        let g = try XCTUnwrap(costs["g"])
        XCTAssertEqual(g.totalCycles - (f.totalCycles - f.selfCycles), 200 * 4 + 6)
        XCTAssertEqual(costs["h"]?.totalCycles, costs["h"]?.selfCycles)
    }

    func testInlinedCallsBecomeFramesOfTheirLocation() throws {
        // At 0x100d0, the ECALL of main's read loop, llvm-symbolizer --inlining reports:
        // zkvm_syscall zkvm.h:24, zkvm_read zkvm.h:30, zkvm_read_all zkvm.h:38, main main.c:30.
        for file in ["program.elf", "program-dwarf4.elf"] {
            let run = try ProfileTests.example(file)
            let decoded = run.decoded
            let location = try XCTUnwrap(decoded.locations.values.first { $0.address == 0x100d0 }, file)
            let frames = location.lines.map { line -> String in
                let function = decoded.functions[line.functionID]!
                return "\(function.name) \(function.filename.split(separator: "/").last ?? ""):\(line.line)"
            }
            XCTAssertEqual(
                frames, ["zkvm_syscall zkvm.h:24", "zkvm_read zkvm.h:30", "zkvm_read_all zkvm.h:38", "main main.c:30"],
                file)
            XCTAssertEqual(
                run.symbolizer.inlines.calls(at: 0x100d0).map(\.name), ["zkvm_read_all", "zkvm_read", "zkvm_syscall"])
            XCTAssertEqual(run.symbolizer.inlines.calls(at: 0x10030), [], "g inlines nothing")
            // The cycles of inlined code are its own function's self cycles.
            let costs = Dictionary(uniqueKeysWithValues: run.profile.functionCosts().map { ($0.name, $0) })
            XCTAssertGreaterThan(costs["zkvm_syscall"]?.selfCycles ?? 0, 0, file)
            XCTAssertLessThanOrEqual(costs["zkvm_syscall"]?.totalCycles ?? 0, costs["zkvm_read_all"]?.totalCycles ?? 0)
        }
    }

    func testDWARF4AndDWARF5GiveTheSameLines() throws {
        let five = try ProfileTests.example("program.elf").symbolizer
        let four = try ProfileTests.example("program-dwarf4.elf").symbolizer
        XCTAssertTrue(five.warnings.isEmpty && four.warnings.isEmpty, "\(five.warnings) \(four.warnings)")
        var covered = 0
        for address in stride(from: UInt32(0x10000), to: 0x1012c, by: 4) {
            let a = five.lines.position(of: address)
            let b = four.lines.position(of: address)
            XCTAssertEqual(a?.line, b?.line, "address \(String(address, radix: 16))")
            XCTAssertEqual(
                a?.file.split(separator: "/").last, b?.file.split(separator: "/").last,
                "address \(String(address, radix: 16))")
            if a != nil { covered += 1 }
        }
        XCTAssertEqual(covered, 0x12c / 4, "every instruction of .text has a line")
        XCTAssertTrue(five.lines.position(of: 0x10000)?.file.hasSuffix("Guest/start.S") ?? false)
        XCTAssertNil(five.lines.position(of: 0x1012c))
        XCTAssertEqual(five.symbols.function(containing: 0x10030)?.name, "g")
        XCTAssertEqual(five.symbols.function(containing: 0x1001c)?.start, 0x1001c)
        XCTAssertNil(five.symbols.function(containing: 0xfffc))
    }

    func testStrippedELFProfilesByEntryAddress() throws {
        let full = try ProfileTests.example("program.elf")
        let stripped = try ProfileTests.example("program-stripped.elf")
        XCTAssertTrue(stripped.symbolizer.symbols.functions.isEmpty)
        XCTAssertTrue(stripped.symbolizer.lines.isEmpty)
        XCTAssertEqual(stripped.decoded.mappings.first?.hasFunctions, false)
        XCTAssertEqual(stripped.decoded.mappings.first?.hasLineNumbers, false)
        XCTAssertEqual(stripped.decoded.mappings.first?.hasInlineFrames, false)
        // Each function is named by its entry address, and costs the same as the named function does when
        // inlined functions are not told apart.
        let symbols = full.symbolizer.symbols
        let byFunction = try ProfileTests.profile(
            try ProfileTests.vector("profile", "program.elf"), input: try ProfileTests.vector("profile", "input.bin"),
            symbolizer: Symbolizer(symbols: symbols, lines: full.symbolizer.lines))
        let expected = byFunction.profile.functionCosts().map { cost -> FunctionCost in
            let start = symbols.functions.first { $0.name == cost.name }!.start
            return FunctionCost(
                name: ProfileBuilder.hexAddress(start), selfCycles: cost.selfCycles, totalCycles: cost.totalCycles)
        }
        XCTAssertEqual(stripped.profile.functionCosts(), expected)
        XCTAssertTrue(expected.contains { $0.name == "0x0001001c" })
        XCTAssertTrue(stripped.decoded.functions.values.allSatisfy { $0.filename == "" && $0.startLine == 0 })
    }

    func testRawImageProfilesByEntryAddress() throws {
        // 0x00: call A; exit.   A (0x10): keep ra, call B, return.   B (0x20): count down from 3, return.
        func ins(_ op: Opcode, _ rd: UInt8 = 0, _ rs1: UInt8 = 0, _ rs2: UInt8 = 0, imm: Int32 = 0) -> UInt32 {
            Instruction(op: op, rd: rd, rs1: rs1, rs2: rs2, imm: UInt32(bitPattern: imm)).encoded
        }
        let words: [UInt32] = [
            ins(.jal, 1, imm: 0x10), ins(.addi, 17, imm: 93), ins(.ecall), ins(.addi),
            ins(.add, 8, 1), ins(.jal, 1, imm: 0x0c), ins(.add, 1, 8), ins(.jalr, 0, 1),
            ins(.addi, 6, imm: 3), ins(.addi, 6, 6, imm: -1), ins(.bne, 0, 6, 0, imm: -4), ins(.jalr, 0, 1),
        ]
        let image = words.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (8 * $0)) } }
        let run = try ProfileTests.profile(image, name: "raw.bin")
        XCTAssertEqual(run.cycles, 15)
        let decoded = run.decoded
        let stacks = decoded.samples.map { (decoded.names($0), $0.values[0]) }
        XCTAssertTrue(stacks.contains { $0.0 == ["0x00000020", "0x00000010", "0x00000000"] && $0.1 == 1 })
        let inB = stacks.filter { $0.0.first == "0x00000020" }
        XCTAssertEqual(inB.map(\.1).reduce(0, +), 8)
        XCTAssertTrue(inB.allSatisfy { $0.0 == ["0x00000020", "0x00000010", "0x00000000"] })
        let costs = run.profile.functionCosts()
        XCTAssertEqual(
            costs,
            [
                FunctionCost(name: "0x00000020", selfCycles: 8, totalCycles: 8),
                FunctionCost(name: "0x00000010", selfCycles: 4, totalCycles: 12),
                FunctionCost(name: "0x00000000", selfCycles: 3, totalCycles: 15),
            ])
        // Call sites are the call instructions themselves.
        let b = try XCTUnwrap(decoded.samples.first { decoded.names($0).first == "0x00000020" })
        XCTAssertEqual(b.locationIDs.dropFirst().map { decoded.locations[$0]!.address }, [0x14, 0x00])
    }

    func testEncodingIsDeterministic() throws {
        let a = try ProfileTests.example("program.elf").profile
        let b = try ProfileTests.example("program.elf").profile
        XCTAssertEqual(a.gzipped(), b.gzipped())
    }

    func testTopFunctionsTable() throws {
        let run = try ProfileTests.example("program.elf")
        let table = run.profile.topFunctions(2).split(separator: "\n").map(String.init)
        XCTAssertEqual(table.count, 4)
        XCTAssertEqual(table[0], "profile: \(run.cycles) cycles in 9 functions; the top 2 by self cycles")
        XCTAssertEqual(table[1].split(separator: " "), ["self", "self%", "total", "total%", "function"])
        let g = try XCTUnwrap(run.profile.functionCosts().first)
        let fields = table[2].split(separator: " ").map(String.init)
        XCTAssertEqual(fields[0], String(g.selfCycles))
        XCTAssertEqual(fields[2], String(g.totalCycles))
        XCTAssertEqual(fields[4], "g")
        let percent = Double(g.selfCycles) * 100 / Double(run.cycles)
        XCTAssertEqual(Double(fields[1].dropLast())!, percent, accuracy: 0.005)
        XCTAssertTrue(table[3].hasSuffix("  main"))
    }
}
