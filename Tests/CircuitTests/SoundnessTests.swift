import AIR
import Circuit
import Field
import Proof
import Prover
import RV32IM
import Verifier
import XCTest

/// A cheating prover edits the witness after execution, keeping every other column consistent with the edit.
/// The debug checker must name the broken rule, and the verifier must reject the proof made from it.
final class CircuitSoundnessTests: XCTestCase {
    /// Exercises the instruction families the cheats target; exits with code 0.
    static let program: Program = {
        func i(_ op: Opcode, _ rd: UInt8 = 0, _ rs1: UInt8 = 0, _ rs2: UInt8 = 0, _ imm: Int32 = 0) -> Instruction {
            Instruction(op: op, rd: rd, rs1: rs1, rs2: rs2, imm: UInt32(bitPattern: imm))
        }
        return try! Program(instructions: [
            i(.addi, 5, 0, 0, -5),  // t0 = −5
            i(.addi, 6, 0, 0, 3),  // t1 = 3
            i(.add, 7, 5, 6),  // t2 = −2
            i(.mulh, 28, 5, 6),  // high word of −15 = −1
            i(.div, 29, 5, 6),  // −1
            i(.sb, 0, 2, 5, -4),  // byte −5 below sp
            i(.lb, 30, 2, 0, -4),  // −5 again, sign-extended
            i(.beq, 0, 0, 0, 8),  // always taken: skips the next instruction
            i(.addi, 31, 0, 0, 1),
            i(.addi, 17, 0, 0, 93),  // a7 = exit
            i(.addi, 10, 0, 0, 0),  // a0 = 0
            i(.ecall),
        ])
    }()

    typealias Witness = CircuitWitness

    static func witness(
        dropping skipped: Opcode? = nil, _ tamper: TraceBuilder._Tamper? = nil
    ) throws -> Witness {
        var trace = try Machine(program: program).trace()
        if let skipped, let at = trace.rows.firstIndex(where: { $0.op == skipped }) { trace.rows.remove(at: at) }
        return try Witness(program: program, trace: trace, _tamper: tamper ?? { _, _, _ in })
    }

    /// Edits the first row running `flag`.
    static func onFirst(_ flag: Col, _ edit: @escaping (inout [Fp]) -> Void) -> TraceBuilder._Tamper {
        var done = false
        return { _, instruction, cells in
            if !done && instruction.flag == flag {
                edit(&cells)
                done = true
            }
        }
    }

    func failures(_ w: Witness) throws -> [String] { try w.failures() }

    func testHonestWitnessPasses() throws {
        // Every bus balances on its own, and the running sum of all of them closes.
        XCTAssertEqual(try failures(Self.witness()), [])
    }

    func testEveryCheatIsCaught() throws {
        var rejected = 0
        let all = try cheats()
        for (name, witness, rule) in all {
            let broken = try failures(witness)
            XCTAssertTrue(broken.contains(rule), "\(name): expected \(rule), got \(broken)")
            // The same witness, proved without the prover's own check, must not verify. Proofs of this circuit take
            // seconds each, so three cheats stand for the three ways a rule can fail: a rule within a row, a bus
            // that does not balance, and a rule between rows; a fourth for the operation grid. The checker covers
            // every cheat above.
            let proved = [
                "ADD result off by one", "load returns a stale value", "skipped instruction",
                "operation outside the grid",
            ]
            guard proved.contains(name) else { continue }
            witness.assertRejected(name)
            rejected += 1
        }
        print("circuit cheats: \(all.count) named by the checker, \(rejected) proved and rejected by the verifier")
    }

    func cheats() throws -> [(String, Witness, String)] {
        let one = Fp.one
        let cheats: [(String, Witness, String)] = [
            (
                "ADD result off by one",
                try Self.witness(
                    Self.onFirst(.opAdd) { c in
                        c[Col.res.rawValue] += one
                        c[Col.out.rawValue] += one
                    }), "add"
            ),
            (
                "branch to the wrong target",
                try Self.witness(
                    Self.onFirst(.opBeq) { c in
                        c[Col.nextPC.rawValue] -= Fp(4)
                    }), "branch_target"
            ),
            (
                "load returns a stale value",
                try Self.witness(
                    Self.onFirst(.opLb) { c in
                        for col in [Col.h, .memPrev, .memNew, .out, .top] { c[col.rawValue] = .zero }
                    }), "memory unbalanced"
            ),
            (
                "changed MULH high word",
                try Self.witness(
                    Self.onFirst(.opMulh) { c in
                        c[Col.res.rawValue] += one
                        c[Col.out.rawValue] += one
                    }), "mulh"
            ),
            (
                "DIV remainder not below the divisor",
                try Self.witness(
                    Self.onFirst(.opDiv) { c in
                        // −5 / 3 as quotient 0, remainder 5: still |a| = q·|b| + r, but r ≥ |b|.
                        c[Col.h.rawValue] = .zero
                        c[Col.rem.rawValue] = Fp(5)
                        c[Col.res.rawValue] = .zero
                        c[Col.out.rawValue] = .zero
                        c[Col.carry.rawValue] = .zero
                    }),
                "remainder_below_divisor"
            ),
            (
                "byte load without sign extension",
                try Self.witness(
                    Self.onFirst(.opLb) { c in
                        c[Col.out.rawValue] = Fp(0xfb)
                    }), "out"
            ),
            (
                "write to x0",
                try Self.witness(
                    Self.onFirst(.opBeq) { c in
                        c[Col.wr.rawValue] = one
                        c[Col.out.rawValue] = Fp(5)
                    }), "fetch unbalanced"
            ),
            ("skipped instruction", try Self.witness(dropping: .add), "pc_flow"),
            (
                "operation outside the grid",
                try Self.witness(
                    Self.onFirst(.opAdd) { c in
                        // The grid's 36th cell, which is no operation (its op code, 36, is in no program row).
                        c[Col.opAdd.rawValue] = .zero
                        c[Col.opRow5.rawValue] = one
                        c[Col.opCol5.rawValue] = one
                    }), "no_operation_36"
            ),
            (
                "two operations on one row",
                try Self.witness(
                    Self.onFirst(.opAdd) { c in
                        // ADD is cell (0, 0) and SLL cell (0, 2): the row sets two of the grid's columns.
                        c[Col.opSll.rawValue] = one
                    }), "one_operation_column"
            ),
            (
                "grid row not a bit",
                try Self.witness(
                    Self.onFirst(.opAdd) { c in
                        // With ADD's own 1, rows 0 and 1 hold 2 and −1: they still sum to one.
                        c[Col.opRow0.rawValue] = one
                        c[Col.opRow1.rawValue] = -one
                    }), "opRow0_is_bit"
            ),
            (
                "instruction without an operation row",
                try Self.witness(
                    Self.onFirst(.opAdd) { c in
                        // Column 0 alone: every flag of the grid is 0 on a row that executes an instruction.
                        c[Col.opAdd.rawValue] = .zero
                        c[Col.opCol0.rawValue] = one
                    }), "one_operation_row"
            ),
        ]
        var exitCode = try Self.witness()
        exitCode.inputs[0] += one
        return cheats + [("changed exit code", exitCode, "exit_code")]
    }
}
