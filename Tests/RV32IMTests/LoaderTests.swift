import RV32IM
import XCTest

final class LoaderTests: XCTestCase {
    let code = le([0x0000_0013, 0x0000_0073])  // nop; ecall

    func elf(entry: UInt32 = 0x1_0000, dataFlags: UInt32 = 6) -> ELFBuilder {
        ELFBuilder(
            entry: entry,
            segments: [
                (address: 0x1_0000, data: code, memorySize: 8, flags: 5),
                (address: 0x2_0000, data: [1, 2], memorySize: 0x100, flags: dataFlags),
            ])
    }

    func load(_ bytes: [UInt8]) -> Result<Program, RV32IMError> {
        Result { () throws(RV32IMError) in try Program(bytes: bytes) }
    }

    func testLoadsSegmentsAndZeroFills() throws {
        let program = try Program(bytes: elf().bytes)
        XCTAssertEqual(program.entry, 0x1_0000)
        XCTAssertEqual(program.segments.map(\.address), [0x1_0000, 0x2_0000])
        XCTAssertEqual(program.segments.map(\.executable), [true, false])
        let m = try Machine(program: program)
        XCTAssertEqual(m.peek(0x2_0000, count: 4), [1, 2, 0, 0])
        XCTAssertEqual(m.peek(0x2_00fc, count: 4), [0, 0, 0, 0])
    }

    /// The id is pinned to a value computed independently in Python from the documented encoding.
    func testProgramIDFollowsTheDocumentedEncoding() throws {
        XCTAssertEqual(
            try Program(bytes: elf().bytes).idHex, "78dbfaca606ebeea7a952a1599e98542e07960db91e1f3460509e0bf688fd46d")
        XCTAssertEqual(
            try Program(bytes: [0x13, 0, 0, 0, 0x73, 0, 0, 0, 0, 0, 0, 0]).idHex,
            "c2d6bde99e0c7bf467b377f656c6576bc831a27da51c54a55fb6fabb198a3caf")
    }

    func testProgramIDDependsOnTheLoadedImageOnly() throws {
        let base = try Program(bytes: elf().bytes)
        // The same image with explicit zero bytes instead of zero fill, and a non-loadable header added.
        var explicitZeros = elf()
        explicitZeros.payload += [0, 0, 0]
        explicitZeros.headers[1].fileSize += 3
        explicitZeros.headers.append(
            .init(type: 0x6474_e551, offset: 0, address: 0, fileSize: 0, memorySize: 0, flags: 6))
        XCTAssertEqual(try Program(bytes: explicitZeros.bytes).id, base.id)
        // Any change to what is loaded changes it: a data byte, a permission, the entry point, a size.
        var otherByte = elf()
        otherByte.payload[otherByte.payload.count - 1] = 3
        XCTAssertNotEqual(try Program(bytes: otherByte.bytes).id, base.id)
        XCTAssertNotEqual(try Program(bytes: elf(dataFlags: 7).bytes).id, base.id)
        XCTAssertNotEqual(try Program(bytes: elf(entry: 0x1_0004).bytes).id, base.id)
        var bigger = elf()
        bigger.headers[1].memorySize = 0x200
        XCTAssertNotEqual(try Program(bytes: bigger.bytes).id, base.id)
        XCTAssertEqual(base.id.count, 32)
    }

    func testSegmentsBuiltInMemoryAreCheckedToo() {
        let check = { (segments: [Segment], entry: UInt32) -> RV32IMError? in
            do {
                _ = try Program(segments: segments, entry: entry)
                return nil
            } catch { return error as? RV32IMError }
        }
        XCTAssertEqual(
            check([Segment(address: 0xffff_ff00, size: 0x200, data: [], executable: true)], 0xffff_ff00),
            .segmentOutOfRange(index: 0, address: 0xffff_ff00, size: 0x200))
        XCTAssertEqual(
            check([Segment(address: 0, size: 2, data: [1, 2, 3], executable: true)], 0), .malformedSegment(index: 0))
        XCTAssertEqual(check([Segment(address: 0, size: 0, data: [], executable: true)], 0), .noLoadableSegments)
        // Code may not reach the last word of the address space (its link value pc + 4 would be 2^32); data may.
        XCTAssertEqual(
            check([Segment(address: 0xffff_f000, size: 0x1000, data: [0x13], executable: true)], 0xffff_f000),
            .codeAtTopOfMemory(index: 0))
        XCTAssertEqual(
            check([Segment(address: 0xffff_fff0, size: 0xd, data: [0x13], executable: true)], 0xffff_fff0),
            .codeAtTopOfMemory(index: 0))
        XCTAssertNil(check([Segment(address: 0xffff_f000, size: 0xffc, data: [0x13], executable: true)], 0xffff_f000))
        XCTAssertNil(
            check(
                [
                    Segment(address: 0x1_0000, size: 4, data: [0x13], executable: true),
                    Segment(address: 0xffff_f000, size: 0x1000, data: [1], executable: false),
                ], 0x1_0000))
    }

    func testRawImages() throws {
        let program = try Program(bytes: code)
        XCTAssertEqual(program.entry, 0)
        XCTAssertEqual(program.segments, [Segment(address: 0, size: 8, data: code, executable: true)])
        XCTAssertEqual(load([]), .failure(.emptyProgram))
    }

    func testHeaderErrors() {
        var b = elf()
        b.machine = 62  // x86-64
        XCTAssertEqual(load(b.bytes), .failure(.notRISCV(machine: 62)))
        b = elf()
        b.elfClass = 2
        XCTAssertEqual(load(b.bytes), .failure(.not32Bit))
        b = elf()
        b.dataEncoding = 2
        XCTAssertEqual(load(b.bytes), .failure(.bigEndian))
        b = elf()
        b.fileType = 3
        XCTAssertEqual(load(b.bytes), .failure(.notExecutable(type: 3)))
        b = elf()
        b.flags = 1  // EF_RISCV_RVC
        XCTAssertEqual(load(b.bytes), .failure(.unsupportedFeatures(flags: 1)))
        b = elf()
        b.flags = 0x10  // EF_RISCV_TSO is accepted
        XCTAssertNoThrow(try Program(bytes: b.bytes))
        b = elf()
        b.elfClass = 9
        XCTAssertEqual(load(b.bytes), .failure(.malformedHeader("unknown ELF class 9")))
        b = elf()
        b.headers[0].type = 3
        XCTAssertEqual(load(b.bytes), .failure(.malformedHeader("dynamically linked (PT_INTERP); link with -static")))
        b = elf()
        b.headers = []
        XCTAssertEqual(load(b.bytes), .failure(.noLoadableSegments))
    }

    func testTruncation() {
        let full = elf().bytes
        XCTAssertEqual(load(Array(full.prefix(10))), .failure(.truncatedHeader(needed: 16, available: 10)))
        XCTAssertEqual(load(Array(full.prefix(40))), .failure(.truncatedHeader(needed: 52, available: 40)))
        XCTAssertEqual(load(Array(full.prefix(100))), .failure(.truncatedHeader(needed: 116, available: 100)))
        XCTAssertEqual(
            load(Array(full.prefix(120))), .failure(.truncatedSegment(index: 0, offset: 116, size: 8, fileSize: 120)))
        XCTAssertEqual(
            load(Array(full.dropLast())), .failure(.truncatedSegment(index: 1, offset: 124, size: 2, fileSize: 125)))
    }

    func testSegmentErrors() {
        var b = elf()
        b.headers[1].address = 0x1_0004
        XCTAssertEqual(load(b.bytes), .failure(.overlappingSegments(first: 0, second: 1)))
        b = elf()
        b.headers[1].address = 0xffff_ff00
        b.headers[1].memorySize = 0x200
        XCTAssertEqual(load(b.bytes), .failure(.segmentOutOfRange(index: 1, address: 0xffff_ff00, size: 0x200)))
        b = elf()
        b.headers[1].address = 0x7eff_ff80
        XCTAssertEqual(load(b.bytes), .failure(.segmentOverlapsStack(index: 1)))
        b = elf()
        b.headers[1].fileSize = 0x101
        XCTAssertEqual(load(b.bytes), .failure(.malformedSegment(index: 1)))
        XCTAssertEqual(load(elf(entry: 0x2_0000).bytes), .failure(.entryNotExecutable(entry: 0x2_0000)))
        XCTAssertEqual(load(elf(entry: 0x3_0000).bytes), .failure(.entryNotExecutable(entry: 0x3_0000)))
        XCTAssertEqual(load(elf(entry: 0x1_0002).bytes), .failure(.misalignedEntry(entry: 0x1_0002)))
    }

    /// Whatever the bytes, loading and running end in a result or a typed error, never a trap.
    func testMutatedFilesNeverTrap() throws {
        var rng = SplitMix(seed: 42)
        var seeds = [elf().bytes]
        for name in ["hello", "fibonacci"] { seeds.append(try exampleFile(name, "program.elf")) }
        var outcomes = [String: Int]()
        for round in 0..<3000 {
            var bytes = seeds[round % seeds.count]
            switch rng.next() % 3 {
            case 0:
                for _ in 0..<(1 + rng.next() % 8) {
                    bytes[Int(rng.next() % UInt64(min(bytes.count, 200)))] = UInt8(truncatingIfNeeded: rng.next())
                }
            case 1:
                bytes = Array(bytes.prefix(Int(rng.next() % UInt64(bytes.count))))
            default:
                for _ in 0..<(1 + rng.next() % 4) {
                    bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
                }
            }
            do {
                let m = try Machine(
                    program: try Program(bytes: bytes), input: [1, 2, 3],
                    limits: Limits(maxCycles: 100_000, maxPages: 256))
                try m.run()
                outcomes["exited", default: 0] += 1
            } catch {
                outcomes[String(describing: error).prefix(20).description, default: 0] += 1
            }
        }
        print("loader fuzz: 3000 mutated files, outcomes \(outcomes.sorted { $0.value > $1.value }.prefix(6))")
    }
}

/// A small deterministic generator for the fuzz test.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
