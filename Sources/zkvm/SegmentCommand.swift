import ArgumentParser
import Circuit
import Foundation
import Hashing
import ZKVM

/// `zkvm segment`: the steps of a segmented proof, one per process, each reading and writing files, so that a
/// driver can spread them over processes or machines (`Scripts/prove-ray`). Every step runs the guest again from
/// the start; the steps of one proof must be given the same program, input, options and secrets.
struct Segment: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Prove an execution one step per process, for a prover spread over processes or machines.",
        discussion: """
            The steps, in order: `plan` runs the guest, writes fresh secrets and a JSON plan (how many proofs \
            there are: one per segment, the last also proving the memory table); `commit` writes proof i's \
            boundary root, for every i; `join` draws the joint context from all the roots, in order; `prove` writes proof i in that \
            context, for every i; `finish` assembles the receipt and verifies it before writing it. Each step \
            takes the program, the input and the options `plan` was given, and the secrets file it wrote; given \
            --plan, a step refuses options or a run that differ from the plan's. The secrets are as private as \
            the input: keep them in files only their owner reads.
            """,
        subcommands: [SegmentPlan.self, SegmentCommit.self, SegmentJoin.self, SegmentProve.self, SegmentFinish.self])
}

/// The program, input and options every step takes, and the secrets file.
struct SegmentRun: ParsableArguments {
    @Argument(help: "The guest program (ELF32 RISC-V executable or raw image).")
    var program: String

    @Option(help: "File whose bytes are the private input the guest reads with read(0, …).")
    var input: String?

    @Option(help: "Parameter set: default, compact, fast or test (insecure, for tests).")
    var profile: ProfileOption = .default

    @Option(
        name: .customLong("segment-log-rows"),
        help: "Rows per segment as a power of two, 8 to 19 (by default chosen as `zkvm prove` does).")
    var segmentLogRows: Int?

    @Option(help: "Most instructions to execute before giving up.")
    var maxCycles: UInt64 = Limits.default.maxCycles

    @Flag(name: .customLong("no-image"), help: "Leave the program image out of the receipt.")
    var noImage = false

    @Option(help: "The proof's secrets (64 bytes, owner-only): written by `plan`, read by every other step.")
    var secrets: String

    func validate() throws {
        if let segmentLogRows, !(TraceBuilder.minLogRows...TraceBuilder.maxLogRows).contains(segmentLogRows) {
            throw ValidationError(
                "--segment-log-rows must be \(TraceBuilder.minLogRows)…\(TraceBuilder.maxLogRows) "
                    + "(2^\(TraceBuilder.minLogRows) to 2^\(TraceBuilder.maxLogRows) rows per segment)")
        }
    }

    var options: ProveOptions {
        var limits = Limits.default
        limits.maxCycles = maxCycles
        var options = ProveOptions(parameters: profile.profile.parameters, limits: limits)
        options.includeImage = !noImage
        options.logSegmentRows = segmentLogRows
        return options
    }

    func loadProgram() throws -> Program {
        do { return try Program(contentsOf: program) } catch {
            if case .cannotReadFile = error { throw CLIFailure.report("\(error)") }
            throw CLIFailure.report("cannot load \(program): \(error)")
        }
    }

    /// Runs the guest and cuts its execution, with `secrets`.
    func prover(_ secrets: ProvingSecrets) throws -> SegmentedProver {
        let loaded = try loadProgram()
        let inputBytes =
            try input.map { try CLIFiles.read($0, limit: Limits.default.maxInputBytes, what: "input") } ?? []
        do { return try SegmentedProver(program: loaded, input: inputBytes, options: options, secrets: secrets) } catch
        {
            throw CLIFailure.report("\(error)")
        }
    }

    /// The secrets `plan` wrote, refusing a file others may read.
    func readSecrets() throws -> ProvingSecrets {
        let bytes = try CLIFiles.read(secrets, limit: 64, what: "secrets")
        guard bytes.count == 64 else {
            throw CLIFailure.report("secrets file \(secrets) is \(bytes.count) bytes, not 64: it is not one plan wrote")
        }
        if let mode = (try? FileManager.default.attributesOfItem(atPath: secrets))?[.posixPermissions] as? Int,
            mode & 0o077 != 0
        {
            throw CLIFailure.report(
                "secrets file \(secrets) may be read by others (mode \(String(mode, radix: 8))); chmod 600 it")
        }
        return try! ProvingSecrets(bytes: bytes)
    }

    /// The plan of this run's options, before the guest runs.
    var plannedOptions: SegmentPlanFile.Options {
        SegmentPlanFile.Options(
            profile: profile.rawValue, segmentLogRows: segmentLogRows, maxCycles: maxCycles, includeImage: !noImage)
    }

    /// Refuses options that differ from the plan at `path`: cheap, so done before the guest runs.
    func check(plan path: String?) throws -> SegmentPlanFile? {
        guard let path else { return nil }
        let plan = try SegmentPlanFile.read(path)
        let ours = plannedOptions
        func shown(_ rows: Int?) -> String { rows.map(String.init) ?? "(none)" }
        func shown(image: Bool) -> String { image ? "(not given)" : "(given)" }
        let options: [(name: String, mine: String, planned: String)] = [
            ("--profile", ours.profile, plan.options.profile),
            ("--segment-log-rows", shown(ours.segmentLogRows), shown(plan.options.segmentLogRows)),
            ("--max-cycles", "\(ours.maxCycles)", "\(plan.options.maxCycles)"),
            ("--no-image", shown(image: ours.includeImage), shown(image: plan.options.includeImage)),
        ]
        let differences = options.filter { $0.mine != $0.planned }
        if let (name, mine, planned) = differences.first {
            throw CLIFailure.report("\(name) \(mine) differs from the plan's \(planned) (\(path))")
        }
        return plan
    }

    /// Refuses a run that is not the one planned: another program, or an input that cuts differently.
    func check(_ prover: SegmentedProver, against plan: SegmentPlanFile?, path: String?) throws {
        guard let plan, let path else { return }
        if prover.program.id.hex != plan.programID {
            throw CLIFailure.report(
                "\(program) is program \(prover.program.id), not the plan's \(plan.programID) (\(path))")
        }
        let ran = SegmentPlanFile(prover, options: plannedOptions)
        if ran.segmentCount != plan.segmentCount || ran.logRows != plan.logRows
            || ran.memoryLogRows != plan.memoryLogRows
            || ran.journal != plan.journal || ran.exitCode != plan.exitCode
        {
            throw CLIFailure.report(
                "this run (\(ran.segmentCount) segments of 2^\(ran.logRows) rows, memory table of "
                    + "2^\(ran.memoryLogRows)) is not the plan's (\(plan.segmentCount) of 2^\(plan.logRows), "
                    + "2^\(plan.memoryLogRows)) or ends otherwise: is the input the planned one? (\(path))")
        }
    }

    /// Refuses an index outside the run's proofs.
    func check(index: Int, _ prover: SegmentedProver) throws {
        let count = prover.segmentCount
        guard (0..<count).contains(index) else {
            throw CLIFailure.report(
                "--index \(index) is out of range: this run has \(count) proofs, 0 to \(count - 1) "
                    + "(one per segment, the last with the memory table)")
        }
    }
}

/// What `plan` writes for the driver: the run's shape and the options every step must be given.
struct SegmentPlanFile: Codable, Equatable {
    struct Options: Codable, Equatable {
        var profile: String
        var segmentLogRows: Int?
        var maxCycles: UInt64
        var includeImage: Bool

        enum CodingKeys: String, CodingKey {
            case profile
            case segmentLogRows = "segment_log_rows"
            case maxCycles = "max_cycles"
            case includeImage = "include_image"
        }
    }

    enum CodingKeys: String, CodingKey {
        case version
        case programID = "program_id"
        case segmentCount = "segment_count"
        case proofCount = "proof_count"
        case logRows = "log_rows"
        case memoryLogRows = "memory_log_rows"
        case journal
        case exitCode = "exit_code"
        case options
    }

    var version = 2
    var programID: String
    var segmentCount: Int
    /// One per segment; the last also proves the memory table.
    var proofCount: Int
    var logRows: Int
    var memoryLogRows: Int
    var journal: String
    var exitCode: UInt32
    var options: Options

    init(_ prover: SegmentedProver, options: Options) {
        programID = prover.program.id.hex
        segmentCount = prover.segmentCount
        proofCount = prover.segmentCount
        logRows = prover.logSegmentRows
        memoryLogRows = prover.memoryLogRows
        journal = CLIFiles.hex(prover.journal)
        exitCode = prover.exitCode
        self.options = options
    }

    var encoded: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return Array(try! encoder.encode(self)) + [0x0a]
    }

    static func read(_ path: String) throws -> SegmentPlanFile {
        let bytes = try CLIFiles.read(path, limit: 1 << 20, what: "plan")
        let decoder = JSONDecoder()
        guard let plan = try? decoder.decode(SegmentPlanFile.self, from: Data(bytes)), plan.version == 2 else {
            throw CLIFailure.report("plan file \(path) is not a plan `zkvm segment plan` wrote")
        }
        return plan
    }
}

/// Refuses an existing output without --force, before any work.
private func checkOutput(_ output: String, force: Bool) throws {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory) else { return }
    if isDirectory.boolValue { throw CLIFailure.report("\(output) is a directory") }
    if !force { throw CLIFailure.report("\(output) already exists; pass --force to overwrite it") }
}

private func write(_ bytes: [UInt8], to output: String, force: Bool, secret: Bool = false) throws {
    do {
        try CLIFiles.writeAtomically(bytes, to: URL(fileURLWithPath: output), replacing: force, ownerOnly: secret)
    } catch {
        throw CLIFailure.report("cannot write \(output): \(error.localizedDescription)")
    }
}

struct SegmentPlan: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Run the guest, write fresh secrets (--secrets) and the plan of its proofs (-o, JSON).",
        discussion: """
            The plan holds the program id, the segment count, the proof count (one per segment, the last with the \
            memory table), the rows of the segments and of the memory table, the journal and exit code, and the \
            options the other steps must be given.
            """)

    @OptionGroup var execution: SegmentRun

    @Option(name: .shortAndLong, help: "Where to write the plan.")
    var output = "plan.json"

    @Flag(help: "Overwrite the plan and the secrets file if they exist.")
    var force = false

    func run() throws {
        try checkOutput(output, force: force)
        try checkOutput(execution.secrets, force: force)
        let secrets = ProvingSecrets.random()
        let prover = try execution.prover(secrets)
        try write(secrets.bytes, to: execution.secrets, force: force, secret: true)
        try write(SegmentPlanFile(prover, options: execution.plannedOptions).encoded, to: output, force: force)
        print(
            "\(prover.segmentCount) segments: proofs 0 to \(prover.segmentCount - 1), the last with the memory table")
    }
}

struct SegmentCommit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "commit", abstract: "Write proof i's boundary root (26 bytes).")

    @OptionGroup var execution: SegmentRun

    @Option(help: "The plan; options and a run that differ from it are refused.")
    var plan: String?

    @Option(help: "Which proof: 0 to the segment count less one (the last segment's, with the memory table).")
    var index: Int

    @Option(name: .shortAndLong, help: "Where to write the root.")
    var output: String

    @Flag(help: "Overwrite the output file if it exists.")
    var force = false

    func run() throws {
        try checkOutput(output, force: force)
        let planned = try execution.check(plan: plan)
        let secrets = try execution.readSecrets()
        let prover = try execution.prover(secrets)
        try execution.check(prover, against: planned, path: plan)
        try execution.check(index: index, prover)
        let root: Digest
        do { root = try prover.boundaryRoot(index) } catch { throw CLIFailure.report("\(error)") }
        try write(root.merkleBytes, to: output, force: force)
    }
}

struct SegmentJoin: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "join", abstract: "Write the joint context drawn from every proof's boundary root, in order.")

    @OptionGroup var execution: SegmentRun

    @Option(help: "The plan; options and a run that differ from it are refused.")
    var plan: String?

    @Option(parsing: .upToNextOption, help: "Every proof's root, in order: proof 0's first.")
    var roots: [String]

    @Option(name: .shortAndLong, help: "Where to write the context.")
    var output: String

    @Flag(help: "Overwrite the output file if it exists.")
    var force = false

    func run() throws {
        try checkOutput(output, force: force)
        let planned = try execution.check(plan: plan)
        let secrets = try execution.readSecrets()
        // Read before the guest runs: a missing root is found in a moment, not after the run.
        let size = Digest.merkleByteCount
        let rootBytes = try roots.map { try CLIFiles.read($0, limit: size, what: "root") }
        for (path, bytes) in zip(roots, rootBytes) where bytes.count != size {
            throw CLIFailure.report("root file \(path) is \(bytes.count) bytes, not \(size)")
        }
        let prover = try execution.prover(secrets)
        try execution.check(prover, against: planned, path: plan)
        guard roots.count == prover.segmentCount else {
            throw CLIFailure.report(
                "\(roots.count) roots given; this run has \(prover.segmentCount) proofs, one per segment")
        }
        let context = prover.context(boundaryRoots: rootBytes.map { try! Digest(merkleBytes: $0) })
        try write(context.encoded, to: output, force: force)
    }
}

struct SegmentProve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove", abstract: "Write proof i, made in the joint context.")

    @OptionGroup var execution: SegmentRun

    @Option(help: "The plan; options and a run that differ from it are refused.")
    var plan: String?

    @Option(help: "Which proof: 0 to the segment count less one (the last segment's, with the memory table).")
    var index: Int

    @Option(help: "The joint context `join` wrote.")
    var context: String

    @Option(name: .shortAndLong, help: "Where to write the proof.")
    var output: String

    @Flag(help: "Overwrite the output file if it exists.")
    var force = false

    func run() throws {
        try checkOutput(output, force: force)
        let planned = try execution.check(plan: plan)
        let secrets = try execution.readSecrets()
        let contextBytes = try CLIFiles.read(context, limit: 1 << 16, what: "context")
        let prover = try execution.prover(secrets)
        try execution.check(prover, against: planned, path: plan)
        try execution.check(index: index, prover)
        // A context of any other size has other challenges than the circuit's buses need.
        let size = prover.context(boundaryRoots: []).encoded.count
        guard contextBytes.count == size, let joint = try? GlobalContext(encoded: contextBytes) else {
            throw CLIFailure.report(
                "context file \(context) is not a joint context: \(contextBytes.count) bytes where one is \(size)")
        }
        let proof: BatchProof
        do { proof = try prover.prove(index, context: joint) } catch { throw CLIFailure.report("\(error)") }
        try write(proof.encoded(), to: output, force: force)
    }
}

struct SegmentFinish: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "finish",
        abstract: "Assemble the receipt from every proof, verify it, and write it.",
        discussion: """
            Each proof is decoded and checked on its own first, so that a wrong one is named by its index; given \
            --context, a proof whose boundary root was changed is named too. Nothing is written unless the \
            receipt verifies.
            """)

    @OptionGroup var execution: SegmentRun

    @Option(help: "The plan; options and a run that differ from it are refused.")
    var plan: String?

    @Option(parsing: .upToNextOption, help: "Every proof, in order: proof 0's first.")
    var proofs: [String]

    @Option(help: "The joint context `join` wrote (by default, the one the proofs' own roots give).")
    var context: String?

    @Option(
        help: """
            The least proven security, in bits, to accept; by default zkvm verify's, or the profile's when it is \
            below that.
            """)
    var minBits: Double?

    @Option(name: .shortAndLong, help: "Where to write the receipt.")
    var output = "proof.bin"

    @Flag(help: "Overwrite the output file if it exists.")
    var force = false

    func validate() throws {
        if let minBits, !(minBits >= 0) { throw ValidationError("--min-bits must be a number of bits, 0 or more") }
    }

    func run() throws {
        try checkOutput(output, force: force)
        let planned = try execution.check(plan: plan)
        let secrets = try execution.readSecrets()

        // MARK: - 1. Each proof decodes, and was made with the profile's parameters

        var decoded: [BatchProof] = []
        for (index, path) in proofs.enumerated() {
            let bytes = try CLIFiles.read(path, limit: Verify.largestReceipt, what: "proof")
            do { decoded.append(try BatchProof(decoding: bytes)) } catch {
                throw CLIFailure.report("proof \(index) (\(path)) does not decode: \(error)")
            }
            if decoded[index].parameters != execution.profile.profile.parameters {
                throw CLIFailure.report(
                    "proof \(index) (\(path)) was not made with the \(execution.profile.rawValue) profile")
            }
        }
        let joint = try context.map { path in
            let bytes = try CLIFiles.read(path, limit: 1 << 16, what: "context")
            guard let joint = try? GlobalContext(encoded: bytes) else {
                throw CLIFailure.report("context file \(path) is not a joint context")
            }
            return joint
        }

        // MARK: - 2. The run, and each proof in the joint context on its own

        let prover = try execution.prover(secrets)
        try execution.check(prover, against: planned, path: plan)
        guard proofs.count == prover.segmentCount else {
            throw CLIFailure.report(
                "\(proofs.count) proofs given; this run has \(prover.segmentCount), one per segment")
        }
        let receipt: Receipt
        do { receipt = try prover.receipt(proofs: decoded) } catch { throw CLIFailure.report("\(error)") }
        // Every proof has the profile's parameters (checked above), so the receipt's figure is the profile's.
        let policy = VerifierPolicy(
            minimumProvenBits: minBits ?? min(VerifierPolicy.default.minimumProvenBits, receipt.claim.provenBits))
        // One proof is proven alone and checked in the context of its own main root, whatever the one given.
        guard let roots = Join.roots(of: decoded) else {
            let index = decoded.firstIndex { $0.boundaryRoot == nil }!
            throw CLIFailure.report("proof \(index) (\(proofs[index])) has no boundary commitment")
        }
        let checked = joint ?? prover.context(boundaryRoots: roots)
        var rejected: [(Int, String)] = []
        for (index, proof) in decoded.enumerated() {
            do { try prover.check(index, proof: proof, context: checked, policy: policy) } catch {
                rejected.append((index, "\(error)"))
            }
        }
        if rejected.count == decoded.count && joint == nil && decoded.count > 1 {
            throw CLIFailure.report(
                "every proof is rejected in the context their boundary roots give, so one of them is wrong or out of "
                    + "place; pass --context to name which: \(rejected[0].1)")
        }
        if let (index, error) = rejected.first {
            let others =
                rejected.count > 1 ? " (and \(rejected.dropFirst().map { "\($0.0)" }.joined(separator: ", ")))" : ""
            throw CLIFailure.report("proof \(index) (\(proofs[index])) is rejected\(others): \(error)")
        }

        // MARK: - 3. The receipt verifies as a whole: the proofs join

        do { _ = try ZKVM.verify(receipt, expecting: prover.program, policy: policy) } catch {
            throw CLIFailure.report("the receipt is rejected: \(error)")
        }
        let bytes = receipt.encoded()
        try write(bytes, to: output, force: force)
        print("receipt     \(output), \(bytes.count) bytes, verified")
    }
}
