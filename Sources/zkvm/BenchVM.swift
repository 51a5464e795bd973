import ArgumentParser
import Foundation
import RV32IM

struct BenchVM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vm",
        abstract: "Guest instructions per second, fast and tracing (medians over several runs).")

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    @Option(help: "Runs per mode; the median is reported.")
    var runs = 5

    @Option(help: "Guest loop iterations per run (20 instructions each).")
    var iterations = 5_000_000

    func run() throws {
        let program = try Program(instructions: BenchVM.guest(iterations: UInt32(iterations)))
        let runs = max(1, self.runs)
        var cycles: UInt64 = 0
        let fast = vmMedian(
            (0..<runs).map { _ in
                let machine = try! Machine(program: program, limits: Limits(maxCycles: .max))
                let start = DispatchTime.now().uptimeNanoseconds
                let result = try! machine.run()
                cycles = result.cycles
                return Double(result.cycles) / Double(DispatchTime.now().uptimeNanoseconds - start) * 1e3
            })
        var checksum: UInt32 = 0
        let traced = vmMedian(
            (0..<runs).map { _ in
                let machine = try! Machine(program: program, limits: Limits(maxCycles: .max))
                let start = DispatchTime.now().uptimeNanoseconds
                let result = try! machine.run { chunk in checksum ^= chunk.rows[chunk.rows.count - 1].rdValue }
                return Double(result.cycles) / Double(DispatchTime.now().uptimeNanoseconds - start) * 1e3
            })
        let rowBytes = MemoryLayout<TraceRow>.stride
        if json {
            print(
                "{\"mips_fast\": \(rounded(fast)), \"mips_trace\": \(rounded(traced)), "
                    + "\"trace_bytes_per_cycle\": \(rowBytes), \"cycles_per_run\": \(cycles), \"runs\": \(runs)}")
        } else {
            print("guest: \(cycles) instructions per run (xorshift, loads, stores, mul, calls), \(runs) runs")
            print("fast mode      \(rounded(fast)) MIPS (median)")
            print("tracing mode   \(rounded(traced)) MIPS (median)")
            print("trace          \(rowBytes) bytes per cycle")
        }
        if checksum == 0x1234_5678 { print("") }  // keeps the consumer's work observable
    }

    private func rounded(_ value: Double) -> String { String(format: "%.1f", value) }

    /// A long-running guest with a realistic instruction mix: a xorshift generator drives loads and stores in a
    /// 1 KiB table, a multiply, a compare and a call and return, 20 instructions per iteration.
    static func guest(iterations: UInt32) -> [Instruction] {
        let (ra, t0, t1, t2, s0, s1, a0, a7, t3, t4):
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8
            ) = (1, 5, 6, 7, 8, 9, 10, 17, 28, 29)
        let low = iterations & 0xfff
        let high = (iterations &+ (low & 0x800) << 1) & 0xffff_f000
        let lowSigned = UInt32(bitPattern: Int32(Int16(bitPattern: UInt16(low << 4))) >> 4)
        let prologue: [Instruction] = [
            Instruction(op: .lui, rd: s0, imm: 0x0010_0000),
            Instruction(op: .lui, rd: s1, imm: high),
            Instruction(op: .addi, rd: s1, rs1: s1, imm: lowSigned),
            Instruction(op: .lui, rd: a0, imm: 0x1234_5000),
        ]
        let loop: [Instruction] = [
            Instruction(op: .slli, rd: t0, rs1: a0, imm: 13),
            Instruction(op: .xor, rd: a0, rs1: a0, rs2: t0),
            Instruction(op: .srli, rd: t0, rs1: a0, imm: 17),
            Instruction(op: .xor, rd: a0, rs1: a0, rs2: t0),
            Instruction(op: .slli, rd: t0, rs1: a0, imm: 5),
            Instruction(op: .xor, rd: a0, rs1: a0, rs2: t0),
            Instruction(op: .andi, rd: t1, rs1: a0, imm: 0x3fc),
            Instruction(op: .add, rd: t1, rs1: t1, rs2: s0),
            Instruction(op: .lw, rd: t2, rs1: t1, imm: 0),
            Instruction(op: .add, rd: t2, rs1: t2, rs2: a0),
            Instruction(op: .jal, rd: ra, imm: 4 * 7),  // to `mix`, past the loop's last 3 and the epilogue
            Instruction(op: .sw, rs1: t1, rs2: t2, imm: 0),
            Instruction(op: .addi, rd: s1, rs1: s1, imm: UInt32(bitPattern: -1)),
            Instruction(op: .bne, rs1: s1, rs2: 0, imm: UInt32(bitPattern: -4 * 13)),
        ]
        let epilogue: [Instruction] = [
            Instruction(op: .addi, rd: a7, imm: Syscall.exit),
            Instruction(op: .addi, rd: a0, imm: 0),
            Instruction(op: .ecall),
        ]
        let mix: [Instruction] = [
            Instruction(op: .mul, rd: t3, rs1: t2, rs2: a0),
            Instruction(op: .srai, rd: t3, rs1: t3, imm: 3),
            Instruction(op: .sltu, rd: t4, rs1: t3, rs2: t2),
            Instruction(op: .add, rd: t2, rs1: t2, rs2: t3),
            Instruction(op: .sub, rd: t2, rs1: t2, rs2: t4),
            Instruction(op: .jalr, rd: 0, rs1: ra, imm: 0),
        ]
        return prologue + loop + epilogue + mix
    }
}

private func vmMedian(_ samples: [Double]) -> Double {
    let sorted = samples.sorted()
    return sorted[sorted.count / 2]
}
