import RV32IM

/// Every cycle of an execution, attributed to the instruction that ran and the call stack it ran under.
///
/// The stack is the machine's own record of calls and returns (the RISC-V calling convention's link registers,
/// unprivileged specification §2.5.1), so a guest needs no frame pointers and no unwind tables:
///
/// 1. `JAL` or `JALR` writing `ra` (x1) or `t0` (x5, the alternate link register that millicode uses) is a call:
///    a frame with its call site and return address is pushed.
/// 2. `JALR` writing x0 and reading `ra` or `t0` is a return: the stack is cut back to the nearest frame (within
///    256 of the top) whose return address is the jump's target. A return that matches no frame (a hand-written jump through `ra`, a
///    `longjmp`) changes nothing, so the stack heals at the next return that does match.
/// 3. Any other jump (`j`, `jr t1`, a tail call) leaves the stack alone. A tail-called function therefore runs in
///    the frame of the function that tail-called it and returns through that frame's return address, so the
///    profile shows its caller's caller above it, as any unwinder would.
///
/// Bounds, whatever the guest does:
/// - at most `maxDepth` frames are kept; calls beyond it are counted, not stored, and the next returns pop
///   those counted frames first (unverified), so a runaway recursion or calls that never return cost no memory;
/// - recursion is folded: a call from a call site that is already on the current path continues at that earlier
///   point of the path instead of growing it. Paths therefore never repeat a call site, and the number of
///   distinct stacks is bounded by the program's call sites, not by the number of calls. Self cycles are exact;
///   in mutual recursion a function that only appears between two calls from the same site is left out of the
///   folded stacks.
///
/// Each cycle goes to exactly one (path, pc) pair, so the counts add up to the number of rows recorded.
public struct CallTree: Sendable {
    /// A point in the tree: the path from the root through a sequence of call sites.
    public struct Node: Equatable, Sendable {
        /// The parent node's index (the root is its own parent).
        public var parent: Int
        /// Address of the call instruction that entered this node (0 for the root).
        public var callSite: UInt32
        /// Number of call sites from the root (0 for the root).
        public var depth: Int
    }

    /// The frames kept before further calls are only counted.
    public static let defaultMaxDepth = 1 << 16
    /// How many frames below the top a return's target is looked for.
    private static let returnSearchDepth = 256

    /// The nodes; index 0 is the root (no call recorded yet: the entry function and anything it jumps to).
    public private(set) var nodes: [Node] = [Node(parent: 0, callSite: 0, depth: 0)]
    /// Cycles per (node, pc): the key is `node << 32 | pc`.
    public var cycles: [UInt64: UInt64] { counts.dictionary }
    /// Every call target seen: the entry points of the functions that were called.
    public private(set) var callTargets: Set<UInt32> = []
    /// Rows recorded: the sum of ``cycles``.
    public private(set) var totalCycles: UInt64 = 0

    private var counts = CountTable()
    private var children: [UInt64: Int] = [:]
    private var frames: [(returnAddress: UInt32, node: Int)] = []
    private var uncountedFrames = 0
    private let maxDepth: Int

    /// An empty tree that keeps at most `maxDepth` (≥ 1) frames.
    public init(maxDepth: Int = CallTree.defaultMaxDepth) {
        self.maxDepth = max(1, maxDepth)
    }

    /// The node the next cycle will be counted under.
    public var currentNode: Int { frames.last?.node ?? 0 }

    /// The current call depth: frames kept plus frames only counted.
    public var depth: Int { frames.count + uncountedFrames }

    /// Counts the cycle of `row` and follows the call or return it makes.
    public mutating func record(_ row: TraceRow) {
        let node = currentNode
        counts.increment(UInt64(node) << 32 | UInt64(row.pc))
        totalCycles += 1
        guard row.op == .jal || row.op == .jalr else { return }
        if row.rd == 1 || row.rd == 5 {
            call(from: row.pc, to: row.nextPC, parent: node)
        } else if row.rd == 0 && row.op == .jalr && (row.rs1 == 1 || row.rs1 == 5) {
            returned(to: row.nextPC)
        }
    }

    /// Counts every row of a chunk.
    public mutating func record(_ chunk: TraceChunk) {
        for row in chunk.rows { record(row) }
    }

    private mutating func call(from site: UInt32, to target: UInt32, parent: Int) {
        callTargets.insert(target)
        guard frames.count < maxDepth else {
            uncountedFrames += 1
            return
        }
        frames.append((site &+ 4, child(of: parent, callSite: site)))
    }

    private mutating func returned(to target: UInt32) {
        if uncountedFrames > 0 {
            uncountedFrames -= 1
            return
        }
        var index = frames.count - 1
        let lowest = max(0, frames.count - CallTree.returnSearchDepth)
        while index >= lowest {
            if frames[index].returnAddress == target {
                frames.removeSubrange(index...)
                return
            }
            index -= 1
        }
    }

    /// The node for a call from `callSite` made at `parent`: the node on `parent`'s path entered from the same
    /// call site if there is one (recursion folds back onto it), else a new child.
    private mutating func child(of parent: Int, callSite: UInt32) -> Int {
        let key = UInt64(parent) << 32 | UInt64(callSite)
        if let known = children[key] { return known }
        var ancestor = parent
        var folded: Int?
        while ancestor != 0 {
            if nodes[ancestor].callSite == callSite {
                folded = ancestor
                break
            }
            ancestor = nodes[ancestor].parent
        }
        let node: Int
        if let folded {
            node = folded
        } else {
            node = nodes.count
            nodes.append(Node(parent: parent, callSite: callSite, depth: nodes[parent].depth + 1))
        }
        children[key] = node
        return node
    }

    /// The call sites from `node` up to the root, innermost first.
    public func callSites(of node: Int) -> [UInt32] {
        var sites: [UInt32] = []
        var current = node
        while current != 0 {
            sites.append(nodes[current].callSite)
            current = nodes[current].parent
        }
        return sites
    }
}

/// Counts per 64-bit key in an open-addressing table: the one operation done on every cycle, so it avoids the
/// general dictionary's per-lookup hashing (a 27-million-cycle guest profiles in 1.3 s with it, 1.9 s without).
private struct CountTable: Sendable {
    /// Keys are stored plus one, so that 0 marks an empty slot.
    private var keys: [UInt64] = Array(repeating: 0, count: 1024)
    private var values: [UInt64] = Array(repeating: 0, count: 1024)
    private var used = 0
    /// The slot of the last key counted: consecutive cycles often repeat it (a loop of one instruction).
    private var last = 0

    mutating func increment(_ key: UInt64) {
        let stored = key &+ 1
        if keys[last] == stored {
            values[last] &+= 1
            return
        }
        let mask = keys.count - 1
        var slot = home(stored)
        while true {
            let found = keys[slot]
            if found == stored { break }
            if found == 0 {
                keys[slot] = stored
                used += 1
                if used * 2 > keys.count {
                    grow()
                    increment(key)
                    return
                }
                break
            }
            slot = (slot + 1) & mask
        }
        values[slot] &+= 1
        last = slot
    }

    /// Fibonacci hashing: the top bits of the product spread the keys, whose low bits are a pc (mostly multiples
    /// of 4) and whose high bits are a node.
    private func home(_ stored: UInt64) -> Int {
        Int(truncatingIfNeeded: (stored &* 0x9e37_79b9_7f4a_7c15) >> UInt64(64 - keys.count.trailingZeroBitCount))
    }

    private mutating func grow() {
        let (oldKeys, oldValues) = (keys, values)
        keys = Array(repeating: 0, count: oldKeys.count * 2)
        values = Array(repeating: 0, count: oldKeys.count * 2)
        used = 0
        last = 0
        let mask = keys.count - 1
        for (stored, value) in zip(oldKeys, oldValues) where stored != 0 {
            var slot = home(stored)
            while keys[slot] != 0 { slot = (slot + 1) & mask }
            keys[slot] = stored
            values[slot] = value
            used += 1
        }
    }

    var dictionary: [UInt64: UInt64] {
        var out: [UInt64: UInt64] = [:]
        for (stored, value) in zip(keys, values) where stored != 0 { out[stored &- 1] = value }
        return out
    }
}
