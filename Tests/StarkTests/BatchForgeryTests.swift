import AIR
import ExampleAIRs
import FRI
import Field
import Hashing
import Proof
import Verifier
import XCTest

@testable import Prover

/// How a cheating batch prover departs from the protocol. Everything left at its default is done honestly, except
/// that the prover never checks its witness and never refuses a FRI layer of too high a degree.
struct BatchCheat {
    /// Alters the bus shares (by table) after they are computed from the traces, before they are absorbed.
    var shares: ((inout [[Fp]]) -> Void)? = nil
    /// Tables whose first composition segment at z is stated so that the out-of-domain check passes, whatever the
    /// committed segments hold.
    var balanceOutOfDomain: Set<Int> = []
    /// The FRI layer table t's DEEP composition is added at, given the layer of its shape; nil leaves it out. At a
    /// layer above its own, its values are lifted: position p there takes the value at p >> (difference).
    var deepLayer: ((_ table: Int, _ layer: Int) -> Int?)? = nil
    /// Alters the functions injected into FRI (by layer) before FRI commits.
    var injections: ((inout [Int: [Fp]]) -> Void)? = nil
}

/// ``proveBatch`` with hooks for a cheating prover: the same steps in the same order, with ``BatchCheat``'s
/// departures. FRI's remainder is the last layer's low coefficients, whatever its degree.
func cheatingProveBatch(_ witnesses: [BatchWitness], parameters: ProofParameters, cheat: BatchCheat) -> BatchProof {
    var random = MaskRandomness()
    let airs = witnesses.map(\.statement.air)
    let shape = try! BatchShape(airs: airs, parameters: parameters, logTraceLengths: witnesses.map(\.trace.logRowCount))
    let shared = BatchProtocol.sharedBuses(airs)
    let ldes = shape.tables.map { LowDegreeExtension(shape: $0) }
    var transcript = BatchProtocol.startTranscript(
        statements: witnesses.map(\.statement), parameters: parameters,
        logTraceLengths: witnesses.map(\.trace.logRowCount))
    let order = shape.order

    let boundaries = order.map { t -> (columns: ExtendedColumns, tree: MerkleTree)? in
        let b = airs[t].boundaryColumnCount
        return b > 0 ? extendBoundary(witnesses[t].trace, count: b, lde: ldes[t], seed: nil) : nil
    }
    func boundary(_ t: Int) -> (columns: ExtendedColumns, tree: MerkleTree)? { boundaries[order.firstIndex(of: t)!] }
    let boundaryTree =
        boundaries.contains { $0 != nil } ? try! MixedMerkleTree(classes: boundaries.compactMap { $0?.tree }) : nil
    let globalShares = airs.map { _ in [Fp]() }
    if let boundaryTree { transcript.absorb("boundary-root", digest: boundaryTree.root) }
    BatchProtocol.absorbGlobalShares(&transcript, globalShares)

    var mains: [ExtendedColumns?] = Array(repeating: nil, count: airs.count)
    var mainTrees: [MerkleTree] = []
    for t in order {
        let columns = Array(witnesses[t].trace.columns[airs[t].boundaryColumnCount...])
        let extended = ldes[t].extend(columns, random: &random)
        mains[t] = extended
        if !columns.isEmpty { mainTrees.append(ldes[t].commit(extended)) }
    }
    let mainTree = try! MixedMerkleTree(classes: mainTrees)
    transcript.absorb("main-root", digest: mainTree.root)

    let challenges = BatchProtocol.drawChallenges(&transcript, airs: airs, global: nil)
    var auxColumns: [[[Fp]]] = []
    var busShares: [[Fp]] = []
    for (t, w) in witnesses.enumerated() {
        auxColumns.append(
            try! airs[t].buildAuxiliaryColumns(
                main: w.trace, publicInputs: w.statement.publicInputs, challenges: challenges[t]))
        busShares.append(
            try! airs[t].busShares(
                main: w.trace, publicInputs: w.statement.publicInputs, challenges: challenges[t], buses: shared[t]))
    }
    cheat.shares?(&busShares)
    func sharedShares(_ t: Int) -> [Int: Fp] { Dictionary(uniqueKeysWithValues: zip(shared[t], busShares[t])) }
    let busPublicSums = witnesses.indices.map { t in
        try! airs[t].busPublicSums(
            witnesses[t].statement.publicBusEntries, challenges: challenges[t], globalShares: globalShares[t],
            sharedShares: sharedShares(t))
    }

    var auxes: [ExtendedColumns?] = Array(repeating: nil, count: airs.count)
    var auxTrees: [MerkleTree] = []
    for t in order {
        let extended = ldes[t].extend(auxColumns[t], random: &random)
        auxes[t] = extended
        if !auxColumns[t].isEmpty { auxTrees.append(ldes[t].commit(extended)) }
    }
    let auxTree = auxTrees.isEmpty ? nil : try! MixedMerkleTree(classes: auxTrees)
    if let auxTree { transcript.absorb("aux-root", digest: auxTree.root) }
    for t in airs.indices where !busShares[t].isEmpty { transcript.absorb("bus-shares", elements: busShares[t]) }

    let gammas = airs.map { transcript.challenges("composition", count: $0.constraints.count) }
    var segments: [[[Fp]]] = Array(repeating: [], count: airs.count)
    var compositionColumns: [[[Fp]]] = Array(repeating: [], count: airs.count)
    var compositionTrees: [MerkleTree] = []
    for t in order {
        let tableShape = shape.tables[t]
        let n = tableShape.traceLength
        var (coefficients, _) = CompositionBuilder(air: airs[t], shape: tableShape).coefficients(
            boundary: boundary(t)?.columns, main: mains[t]!, aux: auxes[t]!,
            publicInputs: witnesses[t].statement.publicInputs, challenges: challenges[t],
            busPublicSums: busPublicSums[t], gammas: gammas[t])
        mains[t]!.releaseCoset()
        coefficients = Array(coefficients.prefix(tableShape.segmentCount * n))
        coefficients += [Fp](repeating: .zero, count: tableShape.segmentCount * n - coefficients.count)
        var split = splitAndMask(coefficients, shape: tableShape, random: &random)
        if parameters.zeroKnowledge && t != order[0] { split.removeLast() }
        segments[t] = split
        compositionColumns[t] = ldes[t].evaluateSegments(split)
        compositionTrees.append(ldes[t].commitSegments(compositionColumns[t]))
    }
    let compositionTree = try! MixedMerkleTree(classes: compositionTrees)
    transcript.absorb("composition-root", digest: compositionTree.root)

    let z = BatchProtocol.drawOutOfDomainPoint(&transcript, shape: shape)
    var traces: [[[Fp]]] = []
    var masks: [[[Fp]]] = []
    var nextRowColumns: [[Int]] = []
    var ood: [OutOfDomainValues] = []
    for t in airs.indices {
        let air = airs[t]
        let tableShape = shape.tables[t]
        let columns = witnesses[t].trace.columns + auxColumns[t]
        let columnMasks = (boundary(t)?.columns.masks ?? []) + mains[t]!.masks + auxes[t]!.masks
        let mainCount = air.mainColumns.count
        let next = air.nextRowMainColumns + air.nextRowAuxColumns.map { $0 + mainCount }
        let atZ = ldes[t].evaluate(traces: columns, masks: columnMasks, indices: Array(columns.indices), at: z)
        let atZNext = ldes[t].evaluate(
            traces: columns, masks: columnMasks, indices: next, at: z * tableShape.traceGenerator)
        var values = OutOfDomainValues(
            main: Array(atZ[..<mainCount]), mainNext: Array(atZNext[..<air.nextRowMainColumns.count]),
            aux: Array(atZ[mainCount...]), auxNext: Array(atZNext[air.nextRowMainColumns.count...]),
            composition: segments[t].prefix(tableShape.segmentCount).map {
                Polynomial(coefficients: $0).evaluate(at: z)
            })
        if cheat.balanceOutOfDomain.contains(t) {
            // H_0(z) := C(z) − Σ_{i ≥ 1} z^(i·n)·H_i(z): the check at z passes, and H_0's DEEP quotient has a pole.
            let expected = StarkProtocol.compositionAtOutOfDomainPoint(
                air: air, ood: values, z: z, shape: tableShape, publicInputs: witnesses[t].statement.publicInputs,
                challenges: challenges[t], busPublicSums: busPublicSums[t], gammas: gammas[t])
            values.composition[0] = .zero
            values.composition[0] = expected - StarkProtocol.compositionFromSegments(values, z: z, shape: tableShape)
        }
        StarkProtocol.absorb(values, into: &transcript)
        traces.append(columns)
        masks.append(columnMasks)
        nextRowColumns.append(next)
        ood.append(values)
    }

    let deep = BatchProtocol.drawDeepCoefficients(&transcript, airs: airs, shape: shape)
    var layer0 = [Fp](repeating: .zero, count: shape.ldeSize)
    var injections: [Int: [Fp]] = [:]
    for t in order {
        let values = ldes[t].deepComposition(
            traces: traces[t], masks: masks[t], composition: compositionColumns[t], ood: ood[t], coefficients: deep[t],
            z: z, zNext: z * shape.tables[t].traceGenerator, nextRowColumns: nextRowColumns[t])
        let own = shape.layers[t]
        guard let s = cheat.deepLayer.map({ $0(t, own) }) ?? own else { continue }
        let size = shape.ldeSize >> s
        let lifted = (0..<size).map { values[$0 >> (own - s)] }
        if s == 0 {
            for i in layer0.indices { layer0[i] += lifted[i] }
        } else {
            var sum = injections[s] ?? [Fp](repeating: .zero, count: size)
            for i in sum.indices { sum[i] += lifted[i] }
            injections[s] = sum
        }
    }
    cheat.injections?(&injections)

    let logLDE = shape.ldeSize.trailingZeroBitCount
    let fri = CheatingFRI(
        layer0: layer0, offset: StarkProtocol.domainOffset, logArities: shape.logArities,
        injections: injections.keys.sorted().map { (logSize: logLDE - $0, values: injections[$0]!) },
        remainderLength: shape.remainderLength, salted: parameters.zeroKnowledge, transcript: &transcript)
    let nonce = transcript.grind(bits: parameters.grindingBits)

    let queries = BatchProtocol.drawQueries(&transcript, shape: shape)
    let positions = MixedMerkleOpening.classPositions(queries, leafCounts: order.map { shape.tables[$0].ldeSize })
    func positionsOf(_ t: Int) -> [Int] { positions[order.firstIndex(of: t)!] }
    let boundaryTables = order.filter { airs[$0].boundaryColumnCount > 0 }
    let mainTables = order.filter { airs[$0].mainColumns.count > airs[$0].boundaryColumnCount }
    let auxTables = order.filter { !airs[$0].auxColumns.isEmpty }
    func open(_ tree: MixedMerkleTree, _ tables: [Int], _ columns: (Int) -> ExtendedColumns) -> MixedMerkleOpening {
        let rows = tables.map { columns($0).rows(at: positionsOf($0)) }
        return try! tree.open(positionsOf(tables[0])) { c, i in rows[c][i]! }
    }
    return BatchProof(
        version: StarkProtocol.version, parameters: parameters,
        tables: airs.indices.map { t in
            BatchTablePart(
                circuitDigest: StarkProtocol.circuitDigest(of: airs[t]), logTraceLength: shape.tables[t].logTraceLength,
                publicInputs: witnesses[t].statement.publicInputs, globalShares: globalShares[t],
                busShares: busShares[t], outOfDomain: ood[t])
        },
        boundaryRoot: boundaryTree?.root, mainRoot: mainTree.root, auxRoot: auxTree?.root,
        compositionRoot: compositionTree.root, friRoots: fri.roots, remainder: fri.remainder, proofOfWorkNonce: nonce,
        boundaryOpening: boundaryTree.map { open($0, boundaryTables) { boundary($0)!.columns } },
        mainOpening: open(mainTree, mainTables) { mains[$0]! },
        auxOpening: auxTree.map { open($0, auxTables) { auxes[$0]! } },
        compositionOpening: try! compositionTree.open(queries) { c, i in
            LowDegreeExtension.row(i, of: compositionColumns[order[c]])
        },
        friOpenings: fri.open(queries: queries))
}

/// FRI's commit phase as ``FRIProverState`` runs it, except that the remainder is the last layer's first
/// coefficients even when the layer is of higher degree.
struct CheatingFRI {
    var roots: [Digest] = []
    var remainder: [Fp] = []
    let logArities: [Int]
    var trees: [MerkleTree] = []

    init(
        layer0: [Fp], offset: Fp, logArities: [Int], injections: [(logSize: Int, values: [Fp])], remainderLength: Int,
        salted: Bool, transcript: inout Transcript
    ) {
        self.logArities = logArities
        var values = layer0
        var offset = offset
        for r in logArities {
            let tree = try! MerkleTree(rows: values, width: 1 << r, salts: salted ? .random : .none)
            transcript.absorb("fri-root", digest: tree.root)
            trees.append(tree)
            roots.append(tree.root)
            let beta = transcript.challenge("fri-fold")
            var power = beta
            for _ in 0..<r {
                values = Folding.foldLayer(values, offset: offset, beta: power)
                offset = offset.squared
                power = power.squared
            }
            for injection in injections where 1 << injection.logSize == values.count {
                Folding.add(injection.values, times: power, to: &values)
                power *= beta
            }
        }
        let logSize = values.count.trailingZeroBitCount
        let natural = (0..<values.count).map { values[reverseBits($0, width: logSize)] }
        let coefficients = NTT.interpolate(evaluations: natural, on: Domain(logSize: logSize, offset: offset))
        remainder = Array(coefficients.prefix(remainderLength))
        transcript.absorb("fri-remainder", elements: remainder)
    }

    func open(queries: [Int]) -> [MerkleOpening] {
        var positions = queries
        return zip(trees, logArities).map { tree, r in
            positions = positions.map { $0 >> r }
            return try! tree.open(positions)
        }
    }
}

/// Attempts to make ``verifyBatch`` accept a false statement or a malformed proof, and hostile inputs that must be
/// refused without trapping.
final class BatchForgeryTests: XCTestCase {
    /// Enough queries that a cheat FRI should catch is caught but with probability about 2^−30 or less.
    static let parameters = ProofParameters(
        logBlowup: 2, queryCount: 24, grindingBits: 2, logFoldingFactor: 2, logRemainderDegree: 3)
    /// The same without zero knowledge: no masks, so a table of 256 rows below one of 1,024 lands on layer 2.
    static let transparent = ProofParameters(
        logBlowup: 2, queryCount: 24, grindingBits: 2, logFoldingFactor: 2, logRemainderDegree: 3,
        zeroKnowledge: false)

    static let statements = BatchProofTests.statements

    /// Values taller than the range table: the table is on a later layer.
    static func tallValues(_ values: [UInt64] = [3, 1, 4, 1, 5, 9, 2, 6]) -> [BatchWitness] {
        BatchProofTests.witnesses(values: values, valueRows: 1024, tableRows: 256)
    }

    func verifies(_ proof: BatchProof, _ statements: [BatchStatement] = statements) -> VerifierError? {
        do {
            try verifyBatch(proof, statements: statements, policy: lenient)
            return nil
        } catch {
            return error
        }
    }

    // MARK: - The cheating prover itself

    /// Played honestly, the copied prover's proofs verify: every rejection below is the cheat's doing.
    func testCheatingProverPlayedHonestlyVerifies() {
        for parameters in [Self.parameters, Self.transparent] {
            for witnesses in [
                Self.tallValues(), BatchProofTests.witnesses(values: [7, 7], valueRows: 256, tableRows: 1024),
            ] {
                let proof = cheatingProveBatch(witnesses, parameters: parameters, cheat: BatchCheat())
                XCTAssertNil(verifies(proof))
            }
        }
    }

    // MARK: - A shorter table's commitment and its layer

    /// A value outside the table, with the shorter table's composition stated at z so that its out-of-domain check
    /// passes: its committed segment then disagrees with the stated value, its DEEP quotient has a pole, and FRI
    /// catches it on the layer it is added in.
    func testLieAtZAboutAShorterTableIsCaughtByFRI() {
        for parameters in [Self.parameters, Self.transparent] {
            // The range table is short; a table entry is corrupted so the table's own constraint fails.
            var witnesses = Self.tallValues()
            var columns = witnesses[1].trace.columns
            columns[0][200] += .one  // an entry no value looks up: the bus still balances
            witnesses[1].trace = try! TraceTable(columns: columns)
            let proof = cheatingProveBatch(
                witnesses, parameters: parameters, cheat: BatchCheat(balanceOutOfDomain: [1]))
            guard case .fri = verifies(proof) else { return XCTFail("\(String(describing: verifies(proof)))") }
            // Without the lie, the out-of-domain check is what fails.
            let honest = cheatingProveBatch(witnesses, parameters: parameters, cheat: BatchCheat())
            XCTAssertEqual(verifies(honest), .outOfDomainMismatch)
        }
    }

    /// The same lie about the taller table, on layer 0.
    func testLieAtZAboutTheTallestTableIsCaughtByFRI() {
        var witnesses = Self.tallValues()
        var columns = witnesses[0].trace.columns
        columns[1][9] += .one
        witnesses[0].trace = try! TraceTable(columns: columns)
        let proof = cheatingProveBatch(
            witnesses, parameters: Self.parameters, cheat: BatchCheat(balanceOutOfDomain: [0]))
        guard case .fri = verifies(proof) else { return XCTFail("\(String(describing: verifies(proof)))") }
    }

    /// The shorter table's DEEP composition added at another layer (lifted to layer 0, or to the fold before its
    /// own), or left out: the verifier adds it where the shape puts it, and the folds disagree.
    func testShorterTablesDeepCompositionAtAnotherLayerIsRejected() {
        // Without masks the 256-row table is on layer 2, and folding by 4 lands on 2 with one fold.
        let shape = try! BatchShape(
            airs: Self.statements.map(\.air), parameters: Self.transparent, logTraceLengths: [10, 8])
        XCTAssertEqual(shape.layers, [0, 2])
        for move in [{ (_: Int, _: Int) -> Int? in 0 }, { _, _ in nil }] {
            let proof = cheatingProveBatch(
                Self.tallValues(), parameters: Self.transparent,
                cheat: BatchCheat(deepLayer: { t, s in t == 1 ? move(t, s) : s }))
            guard case .fri = verifies(proof) else { return XCTFail("\(String(describing: verifies(proof)))") }
        }
        // With masks it is on layer 1, and folding by 4 lands there with a fold by 2; lifting it to layer 0 fails too.
        let masked = try! BatchShape(
            airs: Self.statements.map(\.air), parameters: Self.parameters, logTraceLengths: [10, 8])
        XCTAssertEqual(masked.layers, [0, 1])
        let proof = cheatingProveBatch(
            Self.tallValues(), parameters: Self.parameters, cheat: BatchCheat(deepLayer: { t, s in t == 1 ? 0 : s }))
        guard case .fri = verifies(proof) else { return XCTFail("\(String(describing: verifies(proof)))") }
    }

    /// A function of too high a degree added at the shorter table's layer (a multiple of the vanishing polynomial
    /// of the queried points cannot be chosen before the queries, so a random high-degree function stands in): FRI
    /// rejects it there.
    func testHighDegreeInjectionIsRejected() {
        let proof = cheatingProveBatch(
            Self.tallValues(), parameters: Self.transparent,
            cheat: BatchCheat(injections: { injections in
                for (s, values) in injections {
                    injections[s] = values.map { $0 + Fp(UInt64.random(in: 0..<1 << 60)) }
                }
            }))
        guard case .fri = verifies(proof) else { return XCTFail("\(String(describing: verifies(proof)))") }
    }

    // MARK: - Shares of shared buses

    /// Two tables sharing two buses, `range` and `pairs`: a table of values looks each value up in a range table,
    /// and each (value, double) pair up in a pair table that lives in the range table's trace.
    static let twoBusValues = try! AIR(
        name: "batch_two_bus_values",
        mainColumns: [Column("value", doc: "a value"), Column("double", doc: "2·value")],
        constraints: [
            Constraint(
                name: "double", domain: .everyRow, .main(1, .current) - Expression.constant(2) * .main(0, .current))
        ],
        buses: [
            LogUpBus("range", entries: [LogUpEntry(multiplicity: .constant(.one), values: [.main(0, .current)])]),
            LogUpBus(
                "pairs",
                entries: [LogUpEntry(multiplicity: .constant(.one), values: [.main(0, .current), .main(1, .current)])]),
        ])

    static let twoBusTable = try! AIR(
        name: "batch_two_bus_table",
        mainColumns: [
            Column("entry", doc: "0, 1, …, rows − 1"), Column("twice", doc: "2·entry"),
            Column("multiplicity", doc: "lookups of the entry on either bus"),
        ],
        constraints: [
            Constraint(name: "entry_start", domain: .firstRow, .main(0, .current)),
            Constraint(name: "entry_step", domain: .transition, .main(0, .next) - .main(0, .current) - .constant(.one)),
            Constraint(
                name: "twice", domain: .everyRow, .main(1, .current) - Expression.constant(2) * .main(0, .current)),
        ],
        buses: [
            LogUpBus(
                "range",
                entries: [LogUpEntry(multiplicity: -Expression.main(2, .current), values: [.main(0, .current)])]),
            LogUpBus(
                "pairs",
                entries: [
                    LogUpEntry(
                        multiplicity: -Expression.main(2, .current), values: [.main(0, .current), .main(1, .current)])
                ]),
        ])

    static func twoBusWitnesses(values: [UInt64], valueRows: Int = 1024, tableRows: Int = 256) -> [BatchWitness] {
        var counts = [UInt64](repeating: 0, count: tableRows)
        var column = [Fp](repeating: .zero, count: valueRows)
        for i in 0..<valueRows {
            let v = i < values.count ? values[i] : 0
            column[i] = Fp(v)
            if v < UInt64(tableRows) { counts[Int(v)] += 1 }
        }
        let entries = (0..<tableRows).map { Fp(UInt64($0)) }
        return [
            BatchWitness(
                statement: BatchStatement(air: twoBusValues, publicInputs: []),
                trace: try! TraceTable(columns: [column, column.map { $0 + $0 }])),
            BatchWitness(
                statement: BatchStatement(air: twoBusTable, publicInputs: []),
                trace: try! TraceTable(columns: [entries, entries.map { $0 + $0 }, counts.map { Fp($0) }])),
        ]
    }

    static let twoBusStatements = [
        BatchStatement(air: twoBusValues, publicInputs: []), BatchStatement(air: twoBusTable, publicInputs: []),
    ]

    /// Each table has one running sum for all its buses, so only the sum of a table's shares is tied to its trace.
    /// Moving an amount from one shared bus's shares to the other's in both tables keeps every running sum and every
    /// bus's total: a valid witness proves with other shares (the shares are not unique), which proves nothing false.
    func testSharesMayMoveBetweenBusesOfATrueStatement() {
        let witnesses = Self.twoBusWitnesses(values: [1, 2, 3, 200])
        let delta = Fp(12345)
        let proof = cheatingProveBatch(
            witnesses, parameters: Self.parameters,
            cheat: BatchCheat(shares: { shares in
                shares[0][0] += delta
                shares[0][1] -= delta
                shares[1][0] -= delta
                shares[1][1] += delta
            }))
        XCTAssertNil(verifies(proof, Self.twoBusStatements))
    }

    /// A value outside the table unbalances both buses. Shares that make each bus cancel leave some table's running
    /// sum short of its shares; shares true to each table leave a bus that does not cancel; moving the imbalance
    /// from one bus to the other does neither, because the two buses have challenges of their own.
    func testImbalanceCannotHideInSharesOrMoveBetweenBuses() {
        let witnesses = Self.twoBusWitnesses(values: [1, 2, 300])
        // True shares: the buses do not cancel.
        let proof = cheatingProveBatch(witnesses, parameters: Self.parameters, cheat: BatchCheat())
        guard case .statementMismatch = verifies(proof, Self.twoBusStatements) else { return XCTFail() }
        // Shares that cancel bus by bus: the values table's shares are not its running sum's.
        let cancelling = cheatingProveBatch(
            witnesses, parameters: Self.parameters,
            cheat: BatchCheat(shares: { shares in shares[0] = shares[1].map { -$0 } }))
        XCTAssertEqual(verifies(cancelling, Self.twoBusStatements), .outOfDomainMismatch)
        // The imbalance of `range` moved onto `pairs` in the values table: its sum of shares is kept, `range`
        // cancels, and `pairs` is off by the imbalances of both buses together, which do not cancel.
        let moved = cheatingProveBatch(
            witnesses, parameters: Self.parameters,
            cheat: BatchCheat(shares: { shares in
                let offRange = shares[0][0] + shares[1][0]
                shares[0][0] -= offRange
                shares[0][1] += offRange
            }))
        guard case .statementMismatch(let why) = verifies(moved, Self.twoBusStatements) else { return XCTFail() }
        XCTAssertTrue(why.contains("'pairs'"), why)
    }

    /// A table whose running sum does not end at minus its shares, with shares that cancel: rejected at z, and with
    /// the composition at z stated to pass, by FRI.
    func testRunningSumNotEndingAtMinusTheShareIsRejected() {
        let witnesses = Self.tallValues()
        for lie in [Set<Int>(), [0, 1]] {
            let proof = cheatingProveBatch(
                witnesses, parameters: Self.parameters,
                cheat: BatchCheat(
                    shares: { shares in
                        shares[0][0] += Fp(7)
                        shares[1][0] -= Fp(7)
                    }, balanceOutOfDomain: lie))
            let error = verifies(proof)
            if lie.isEmpty {
                XCTAssertEqual(error, .outOfDomainMismatch)
            } else {
                guard case .fri = error else { return XCTFail("\(String(describing: error))") }
            }
        }
    }

    // MARK: - Buses of one name in different tables

    /// Two range checks of different widths, each a complete AIR whose bus `range` balances within its own trace
    /// when proven alone. In one batch, the bus of one name is one bus: the 8-bit table holds a value of 700, looked
    /// up in the 10-bit table's range, and the batch verifies. Each table is not shown to satisfy its AIR on its
    /// own: only the union of their buses balances. (This pins the documented meaning of a shared name; an AIR
    /// whose bus is internal to it must give that bus a name no other table of a batch uses.)
    func testUnrelatedTablesOfOneBusNameMergeTheirBuses() throws {
        let byte = RangeCheckAIR(bits: 8)
        let wide = RangeCheckAIR(bits: 10)
        let outOfRange: UInt64 = 700
        let narrowTrace = byte.trace(values: [1, 2, 3, outOfRange])
        var wideTrace = wide.trace(values: [5, 6])
        var columns = wideTrace.columns
        columns[2][Int(outOfRange)] += .one  // the narrow table's lookup of 700, answered here
        wideTrace = try TraceTable(columns: columns)
        // Alone, the narrow table does not prove.
        XCTAssertThrowsError(
            try prove(air: byte.air, trace: narrowTrace, publicInputs: [], options: ProverOptions(parameters: smallZK)))
        let statements = [
            BatchStatement(air: byte.air, publicInputs: []), BatchStatement(air: wide.air, publicInputs: []),
        ]
        let witnesses = zip(statements, [narrowTrace, wideTrace]).map { BatchWitness(statement: $0, trace: $1) }
        // The honest batch prover proves it, and the verifier accepts it.
        let proof = try proveBatch(witnesses, options: ProverOptions(parameters: Self.parameters))
        XCTAssertNil(verifies(proof, statements))
        XCTAssertEqual(BatchProtocol.sharedBuses(statements.map(\.air)), [[0], [0]])
    }

    // MARK: - Commitments and their classes

    /// A taller table with neither boundary nor auxiliary columns above shorter ones that have them: the boundary
    /// and auxiliary commitments' first class is not on layer 0, and each is opened at its first class's positions.
    func testCommitmentsWhoseFirstClassIsShorterProveAndVerify() throws {
        let fibonacci = FibonacciAIR.trace(rows: 1024)
        let withBoundary = try AIR(
            name: "batch_boundary_counter",
            mainColumns: [Column("start", doc: "the start, constant"), Column("count", doc: "start, start + 1, …")],
            boundaryColumnCount: 1,
            constraints: [
                Constraint(name: "start_constant", domain: .transition, .main(0, .next) - .main(0, .current)),
                Constraint(name: "count_start", domain: .firstRow, .main(1, .current) - .main(0, .current)),
                Constraint(
                    name: "count_step", domain: .transition, .main(1, .next) - .main(1, .current) - .constant(.one)),
            ])
        let counter = try TraceTable(columns: [
            [Fp](repeating: Fp(40), count: 256), (0..<256).map { Fp(40 + UInt64($0)) },
        ])
        var witnesses = BatchProofTests.witnesses(values: [1, 2, 3], valueRows: 256, tableRows: 256)
        witnesses.insert(
            BatchWitness(
                statement: BatchStatement(air: FibonacciAIR.air, publicInputs: fibonacci.publicInputs),
                trace: fibonacci.trace), at: 0)
        witnesses.append(BatchWitness(statement: BatchStatement(air: withBoundary, publicInputs: []), trace: counter))
        for parameters in [Self.parameters, Self.transparent] {
            let shape = try BatchShape(
                airs: witnesses.map(\.statement.air), parameters: parameters,
                logTraceLengths: witnesses.map(\.trace.logRowCount))
            XCTAssertEqual(shape.layers[0], 0)
            XCTAssertTrue(shape.layers.dropFirst().allSatisfy { $0 > 0 }, "\(shape.layers)")
            let proof = try proveBatch(witnesses, options: ProverOptions(parameters: parameters))
            XCTAssertNil(verifies(proof, witnesses.map(\.statement)))
            XCTAssertEqual(try BatchProof(decoding: proof.encoded()), proof)
            // The cheating prover's copy opens them the same way.
            XCTAssertNil(
                verifies(
                    cheatingProveBatch(witnesses, parameters: parameters, cheat: BatchCheat()),
                    witnesses.map(\.statement)))
            // Two opened rows of the shorter first class exchanged: refused.
            var forged = proof
            forged.auxOpening!.rows[0].swapAt(0, forged.auxOpening!.rows[0].count - 1)
            guard case .merkleOpening = verifies(forged, witnesses.map(\.statement)) else { return XCTFail() }
        }
    }

    /// Two tables of one height are two classes injected at one level, in commitment order: their opened rows
    /// swapped (same widths), or the classes swapped, do not verify.
    func testEqualHeightClassesAreBoundInOrder() throws {
        var witnesses = BatchProofTests.witnesses(values: [4, 5], valueRows: 256, tableRows: 256)
        let fibonacci = FibonacciAIR.trace(rows: 1024)
        witnesses.insert(
            BatchWitness(
                statement: BatchStatement(air: FibonacciAIR.air, publicInputs: fibonacci.publicInputs),
                trace: fibonacci.trace), at: 0)
        let statements = witnesses.map(\.statement)
        let proof = try proveBatch(witnesses, options: ProverOptions(parameters: Self.parameters))
        XCTAssertNil(verifies(proof, statements))
        // Main: classes 1 and 2 are the two 256-row tables, both two columns wide.
        var rowsSwapped = proof
        let (a, b) = (proof.mainOpening.rows[1], proof.mainOpening.rows[2])
        XCTAssertNotEqual(a, b)
        rowsSwapped.mainOpening.rows[1] = b
        rowsSwapped.mainOpening.rows[2] = a
        rowsSwapped.mainOpening.salts.swapAt(1, 2)
        guard case .merkleOpening = verifies(rowsSwapped, statements) else { return XCTFail() }
        // The same tables given in the other order are another statement, with another commitment order.
        XCTAssertNotNil(verifies(proof, [statements[0], statements[2], statements[1]]))
    }

    // MARK: - Heights chosen by the prover, and hostile proofs

    /// The shape follows the heights the proof states. Every pair of heights and a few profiles give a shape or an
    /// error, never a trap; where a shape exists its security figure is finite, each table is on a domain at least
    /// blowup times its rows and holds its degree, and FRI lands on every table's layer.
    func testEveryStatedHeightGivesAShapeOrAnError() {
        let airs = Self.statements.map(\.air)
        var built = 0
        let profiles = [
            Self.parameters, Self.transparent, Profile.default.parameters, Profile.test.parameters,
            ProofParameters(
                logBlowup: 6, queryCount: 256, grindingBits: 40, logFoldingFactor: 4, logRemainderDegree: 10),
            ProofParameters(logBlowup: 1, queryCount: 1, grindingBits: 0, logFoldingFactor: 1, logRemainderDegree: 0),
        ]
        for parameters in profiles {
            for a in 1...26 {
                for b in Set([1, 2, 3, a - 1, a, a + 1, 13, 26]) where (1...26).contains(b) {
                    guard let shape = try? BatchShape(airs: airs, parameters: parameters, logTraceLengths: [a, b])
                    else {
                        continue
                    }
                    built += 1
                    let bits = shape.security(airs: airs).provenBits
                    XCTAssertTrue(bits.isFinite && bits >= 0 && bits <= 128)
                    let k = parameters.maskDegree
                    for (t, log) in [a, b].enumerated() {
                        let s = shape.layers[t]
                        XCTAssertGreaterThanOrEqual(shape.tables[t].ldeSize, (1 << log) << parameters.logBlowup)
                        XCTAssertLessThanOrEqual((1 << log) + k, (shape.friDegreeBound + (1 << s) - 1) >> s)
                        if s > 0 {
                            var folded = 0
                            var lands = false
                            for r in shape.logArities {
                                folded += r
                                lands = lands || folded == s
                            }
                            XCTAssertTrue(lands, "\(shape.logArities) misses layer \(s)")
                            XCTAssertLessThan(s, shape.totalFolds)
                        }
                    }
                }
            }
        }
        XCTAssertGreaterThan(built, 500)
    }

    /// Every height the proof could state for either table is refused (or refused by policy), without a trap.
    func testStatedHeightsOtherThanTheTracesAreRefused() throws {
        let proof = cheatingProveBatch(Self.tallValues(), parameters: Self.parameters, cheat: BatchCheat())
        XCTAssertNil(verifies(proof))
        for t in 0..<2 {
            for log in 1...26 where log != proof.tables[t].logTraceLength {
                var forged = proof
                forged.tables[t].logTraceLength = log
                XCTAssertNotNil(verifies(forged), "table \(t) at 2^\(log) rows")
            }
        }
        // Both at once, swapped.
        var swapped = proof
        swapped.tables[0].logTraceLength = proof.tables[1].logTraceLength
        swapped.tables[1].logTraceLength = proof.tables[0].logTraceLength
        XCTAssertNotNil(verifies(swapped))
    }

    /// Structured changes to the proof's lists: an element added to or removed from any list the verifier reads,
    /// a class added or removed in any opening. Each is refused without a trap.
    func testMismatchedCountsAreRefused() throws {
        var witnesses = Self.tallValues()
        let fibonacci = FibonacciAIR.trace(rows: 512)
        witnesses.append(
            BatchWitness(
                statement: BatchStatement(air: FibonacciAIR.air, publicInputs: fibonacci.publicInputs),
                trace: fibonacci.trace))
        let statements = witnesses.map(\.statement)
        let proof = try proveBatch(witnesses, options: ProverOptions(parameters: Self.parameters))
        XCTAssertNil(verifies(proof, statements))
        func refuses(_ what: String, _ change: (inout BatchProof) -> Void) {
            var forged = proof
            change(&forged)
            XCTAssertNotNil(verifies(forged, statements), what)
        }
        func lists(_ change: @escaping (inout [Fp]) -> Void) -> [(String, (inout BatchProof) -> Void)] {
            var out: [(String, (inout BatchProof) -> Void)] = []
            for t in 0..<3 {
                out.append(("public inputs \(t)", { change(&$0.tables[t].publicInputs) }))
                out.append(("global shares \(t)", { change(&$0.tables[t].globalShares) }))
                out.append(("bus shares \(t)", { change(&$0.tables[t].busShares) }))
                out.append(("ood main \(t)", { change(&$0.tables[t].outOfDomain.main) }))
                out.append(("ood main next \(t)", { change(&$0.tables[t].outOfDomain.mainNext) }))
                out.append(("ood aux \(t)", { change(&$0.tables[t].outOfDomain.aux) }))
                out.append(("ood aux next \(t)", { change(&$0.tables[t].outOfDomain.auxNext) }))
                out.append(("ood composition \(t)", { change(&$0.tables[t].outOfDomain.composition) }))
            }
            out.append(("remainder", { change(&$0.remainder) }))
            return out
        }
        for (what, change) in lists({ $0.append(.one) })
            + lists({ if !$0.isEmpty { $0.removeLast() } else { $0.append(.zero) } })
        {
            refuses(what, change)
        }
        func openings(_ change: @escaping (inout MixedMerkleOpening) -> Void) -> [(String, (inout BatchProof) -> Void)]
        {
            [
                ("main", { change(&$0.mainOpening) }), ("aux", { change(&$0.auxOpening!) }),
                ("composition", { change(&$0.compositionOpening) }),
            ]
        }
        let mixedChanges: [(String, (inout MixedMerkleOpening) -> Void)] = [
            (
                "class added",
                {
                    $0.rows.append($0.rows[0])
                    $0.salts.append($0.salts[0])
                }
            ),
            (
                "class removed",
                {
                    $0.rows.removeLast()
                    $0.salts.removeLast()
                }
            ),
            ("rows only removed", { $0.rows.removeLast() }),
            (
                "row added",
                {
                    $0.rows[0].append($0.rows[0][0])
                    $0.salts[0].append($0.salts[0][0])
                }
            ),
            (
                "row removed",
                {
                    $0.rows[$0.rows.count - 1].removeLast()
                    $0.salts[$0.salts.count - 1].removeLast()
                }
            ),
            ("value added", { $0.rows[$0.rows.count - 1][0].append(.one) }),
            ("value removed", { $0.rows[0][0].removeLast() }),
            ("salt removed", { $0.salts[0].removeLast() }),
            ("node added", { $0.nodes.append($0.nodes[0]) }),
            ("node removed", { $0.nodes.removeLast() }),
            ("empty", { $0 = MixedMerkleOpening(rows: [], salts: [], nodes: []) }),
        ]
        for (name, change) in mixedChanges {
            for (which, apply) in openings(change) { refuses("\(which): \(name)", apply) }
        }
        refuses("FRI opening removed") { $0.friOpenings.removeLast() }
        refuses("FRI opening added") { $0.friOpenings.append($0.friOpenings[0]) }
        refuses("FRI root removed") { $0.friRoots.removeLast() }
        refuses("FRI root added") { $0.friRoots.append($0.mainRoot) }
        refuses("FRI row removed") { $0.friOpenings[0].rows.removeLast() }
        refuses("FRI value removed") { $0.friOpenings[1].rows[0].removeLast() }
        refuses("aux root removed") { $0.auxRoot = nil }
        refuses("aux opening removed") { $0.auxOpening = nil }
        refuses("boundary root added") { $0.boundaryRoot = $0.mainRoot }
        refuses("boundary opening added") { $0.boundaryOpening = $0.mainOpening }
        refuses("table removed") { $0.tables.removeLast() }
        refuses("table added") { $0.tables.append($0.tables[0]) }
        refuses("tables swapped") { $0.tables.swapAt(0, 1) }
    }

    /// A few thousand random changes to an encoded proof (bytes overwritten, flipped, cut, inserted, counts
    /// enlarged): each is refused by the decoder or the verifier, and nothing traps.
    func testMutatedEncodingsAreRefusedWithoutTrapping() throws {
        let proof = try proveBatch(Self.tallValues(), options: ProverOptions(parameters: smallZK))
        XCTAssertNil(verifies(proof))
        let bytes = proof.encoded()
        var generator = SplitMix(seed: 0x5EED_BA7C)
        var decoded = 0
        for round in 0..<3000 {
            var mutated = bytes
            let i = Int.random(in: 0..<bytes.count, using: &generator)
            switch round % 6 {
            case 0: mutated[i] ^= 1 << UInt8.random(in: 0..<8, using: &generator)
            case 1: mutated[i] = UInt8.random(in: 0...255, using: &generator)
            case 2: mutated.removeSubrange(i..<min(bytes.count, i + Int.random(in: 1...64, using: &generator)))
            case 3:
                mutated.insert(
                    contentsOf: (0..<Int.random(in: 1...64, using: &generator)).map { _ in
                        UInt8.random(in: 0...255, using: &generator)
                    }, at: i)
            case 4:
                // A small count: plausible lengths, so the decoder goes on and the verifier sees odd lists.
                if i + 4 <= mutated.count {
                    mutated[i..<i + 4] = [UInt8.random(in: 0...40, using: &generator), 0, 0, 0]
                }
            default:
                let j = Int.random(in: 0..<bytes.count, using: &generator)
                mutated.swapAt(i, j)
            }
            guard mutated != bytes, let forged = try? BatchProof(decoding: mutated) else { continue }
            decoded += 1
            if forged == proof { continue }
            XCTAssertNotNil(verifies(forged), "round \(round)")
        }
        XCTAssertGreaterThan(decoded, 100)
    }
}

/// A seeded generator, so a failing mutation can be replayed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
