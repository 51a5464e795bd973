import Profiler
import RV32IM
import XCTest

/// The call stack the profiler keeps from calls and returns, on instruction streams chosen to be awkward:
/// tail calls, returns that match no call, millicode through t0, deep and endless recursion, calls that never
/// return.
final class CallTreeTests: XCTestCase {
    private func row(_ op: Opcode, pc: UInt32, next: UInt32? = nil, rd: UInt8 = 0, rs1: UInt8 = 0) -> TraceRow {
        var row = TraceRow()
        (row.op, row.pc, row.nextPC, row.rd, row.rs1) = (op, pc, next ?? pc &+ 4, rd, rs1)
        return row
    }

    private func call(_ pc: UInt32, to target: UInt32, link: UInt8 = 1) -> TraceRow {
        row(.jal, pc: pc, next: target, rd: link)
    }

    private func ret(_ pc: UInt32, to target: UInt32, link: UInt8 = 1) -> TraceRow {
        row(.jalr, pc: pc, next: target, rs1: link)
    }

    private func plain(_ pc: UInt32) -> TraceRow { row(.addi, pc: pc) }

    func testCallsAndReturnsNest() {
        var tree = CallTree()
        tree.record(call(0x00, to: 0x100))
        tree.record(call(0x104, to: 0x200))
        XCTAssertEqual(tree.callSites(of: tree.currentNode), [0x104, 0x00])
        tree.record(plain(0x200))
        tree.record(ret(0x204, to: 0x108))
        XCTAssertEqual(tree.callSites(of: tree.currentNode), [0x00])
        tree.record(ret(0x108, to: 0x04))
        XCTAssertEqual(tree.currentNode, 0)
        XCTAssertEqual(tree.totalCycles, 5)
        XCTAssertEqual(tree.callTargets, [0x100, 0x200])
        // The cycle of a call is counted in the caller, that of a return in the callee.
        let node = tree.nodes.firstIndex { $0.callSite == 0x104 }!
        XCTAssertEqual(tree.cycles[UInt64(node) << 32 | 0x204], 1)
        XCTAssertEqual(tree.cycles[0x00], 1)
    }

    func testTailCallReturnsThroughTheTailCallersFrame() {
        var tree = CallTree()
        tree.record(call(0x00, to: 0x100))  // main calls h
        tree.record(row(.jal, pc: 0x100, next: 0x200))  // h: `j g`, a tail call
        tree.record(plain(0x200))
        XCTAssertEqual(tree.callSites(of: tree.currentNode), [0x00])
        tree.record(ret(0x204, to: 0x04))  // g returns straight to main
        XCTAssertEqual(tree.currentNode, 0)
        XCTAssertEqual(tree.depth, 0)
    }

    func testReturnThatMatchesNoCallChangesNothingAndTheNextOneHeals() {
        var tree = CallTree()
        tree.record(call(0x00, to: 0x100))
        tree.record(call(0x100, to: 0x200))
        tree.record(ret(0x200, to: 0x5000))  // a computed jump through ra
        XCTAssertEqual(tree.depth, 2)
        // The callee of 0x100 never returns to it; the frame below is returned to directly.
        tree.record(ret(0x5000, to: 0x04))
        XCTAssertEqual(tree.depth, 0)
        // A return with an empty stack does nothing either.
        tree.record(ret(0x04, to: 0x08))
        XCTAssertEqual(tree.depth, 0)
        XCTAssertEqual(tree.totalCycles, 5)
    }

    func testMillicodeThroughT0() {
        var tree = CallTree()
        tree.record(call(0x00, to: 0x100))
        tree.record(call(0x100, to: 0x900, link: 5))  // jal t0, __riscv_save_0
        XCTAssertEqual(tree.depth, 2)
        tree.record(ret(0x900, to: 0x104, link: 5))  // jr t0
        XCTAssertEqual(tree.depth, 1)
        tree.record(row(.jal, pc: 0x104, next: 0x980))  // tail __riscv_restore_0
        tree.record(ret(0x980, to: 0x04))  // ret, to main
        XCTAssertEqual(tree.depth, 0)
    }

    func testOtherJumpsAreNotCallsOrReturns() {
        var tree = CallTree()
        tree.record(call(0x00, to: 0x100))
        tree.record(row(.jalr, pc: 0x100, next: 0x300, rd: 6, rs1: 7))  // jalr t1, t2: no link register
        tree.record(row(.jalr, pc: 0x300, next: 0x04, rs1: 6))  // jr t1
        XCTAssertEqual(tree.depth, 1)
        XCTAssertTrue(tree.callTargets == [0x100])
    }

    func testRecursionFoldsOntoItsFirstCallSite() {
        var tree = CallTree()
        tree.record(call(0x00, to: 0x100))
        for _ in 0..<10_000 { tree.record(call(0x110, to: 0x100)) }
        XCTAssertEqual(tree.depth, 10_001)
        XCTAssertEqual(tree.nodes.count, 3, "root, the first call, one recursive call site")
        XCTAssertEqual(tree.callSites(of: tree.currentNode), [0x110, 0x00])
        for _ in 0..<10_000 { tree.record(ret(0x120, to: 0x114)) }
        XCTAssertEqual(tree.callSites(of: tree.currentNode), [0x00])
        tree.record(ret(0x120, to: 0x04))
        XCTAssertEqual(tree.depth, 0)
        XCTAssertEqual(tree.totalCycles, 20_002)
    }

    func testMutualRecursionStaysBounded() {
        // a (0x100) calls b at 0x104; b (0x200) calls a at 0x204; 5,000 rounds.
        var tree = CallTree()
        tree.record(call(0x00, to: 0x100))
        for _ in 0..<5_000 {
            tree.record(call(0x104, to: 0x200))
            tree.record(call(0x204, to: 0x100))
        }
        XCTAssertLessThanOrEqual(tree.nodes.count, 4)
        XCTAssertEqual(tree.depth, 10_001)
    }

    func testDepthLimitCountsFramesInsteadOfKeepingThem() {
        var tree = CallTree(maxDepth: 4)
        var site: UInt32 = 0x1000
        for _ in 0..<10 {
            tree.record(call(site, to: site + 0x100))
            site += 0x100
        }
        XCTAssertEqual(tree.depth, 10)
        XCTAssertEqual(tree.callSites(of: tree.currentNode).count, 4)
        // Returns pop the counted frames first, then the kept ones, back to the root.
        for _ in 0..<10 {
            site -= 0x100
            tree.record(ret(site + 0x180, to: site + 4))
        }
        XCTAssertEqual(tree.depth, 0)
        XCTAssertEqual(tree.currentNode, 0)
    }

    func testCallsThatNeverReturnCostNoMemoryBeyondTheLimit() {
        // A loop calls a function that jumps back to the loop instead of returning, a million times.
        var tree = CallTree(maxDepth: 64)
        for _ in 0..<1_000_000 {
            tree.record(call(0x100, to: 0x200))
            tree.record(row(.jal, pc: 0x200, next: 0x100))
        }
        XCTAssertEqual(tree.depth, 1_000_000)
        XCTAssertEqual(tree.nodes.count, 2, "the root and the loop's call, folded onto itself")
        XCTAssertEqual(tree.cycles.count, 3, "the first call from the root, then the loop and the callee")
        XCTAssertEqual(tree.totalCycles, 2_000_000)
    }

    func testCountsMatchAPlainDictionaryAcrossManyStacks() {
        // 400,000 cycles over about 60,000 (node, pc) pairs, so the count table grows many times.
        var tree = CallTree()
        var reference: [UInt64: UInt64] = [:]
        var state: UInt64 = 5
        var returns: [UInt32] = []
        for _ in 0..<400_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let pc = UInt32(truncatingIfNeeded: state >> 40) % 20_000 * 4
            reference[UInt64(tree.currentNode) << 32 | UInt64(pc), default: 0] += 1
            if state >> 62 == 0 && returns.count < 4 {
                tree.record(call(pc, to: 0x10_0000))
                returns.append(pc + 4)
            } else if state >> 62 == 1, let target = returns.popLast() {
                tree.record(ret(pc, to: target))
            } else {
                tree.record(plain(pc))
            }
        }
        XCTAssertEqual(tree.depth, returns.count)
        XCTAssertEqual(tree.cycles, reference)
        XCTAssertEqual(tree.totalCycles, 400_000)
    }
}
