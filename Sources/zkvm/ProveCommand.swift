import ArgumentParser
import Circuit
import Foundation
import Synchronization
import ZKVM

struct Prove: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a guest program on a private input and prove its journal and exit code.",
        discussion: """
            Writes a receipt (the program image, journal, exit code and STARK proof; never the input) that \
            `zkvm verify` checks. With --no-image the receipt carries the program's id instead of its image, and \
            `zkvm verify` then needs the program (--program). An existing output file is kept unless --force is \
            given, and a failed prove writes nothing. On a terminal, progress goes to standard error; the guest's \
            diagnostic log (fd 2) always does.
            """)

    @Argument(help: "The guest program (ELF32 RISC-V executable or raw image).")
    var program: String

    @Option(help: "File whose bytes are the private input the guest reads with read(0, …).")
    var input: String?

    @Option(name: .shortAndLong, help: "Where to write the receipt.")
    var output = "proof.bin"

    @Option(
        help: """
            Parameter set: default (≥ 100 proven bits), compact (≥ 100 proven bits, smaller and slower), fast, or \
            test (insecure, for tests).
            """)
    var profile: ProfileOption = .default

    @Option(
        name: .customLong("extension-memory-mb"),
        help: """
            Most memory (MiB) the prover keeps the extended trace columns in; above it, it computes them a coset at \
            a time, keeping what fits of what it would compute again: less memory, more time. The default keeps \
            them up to 2^17 rows in the default profile.
            """)
    var extensionMemoryMB = ProveOptions.default.mainExtensionMemoryLimit >> 20

    @Option(
        name: .customLong("segment-log-rows"),
        help: """
            Rows per segment as a power of two, 8 to 19. By default an execution that fits 2^17 rows is one \
            segment of the fewest rows that hold it, and a longer one is cut into segments of 2^17 rows; each \
            segment is proven on its own, so memory stays bounded by the segment size.
            """)
    var segmentLogRows: Int?

    @Option(help: "Most instructions to execute before giving up.")
    var maxCycles: UInt64 = Limits.default.maxCycles

    @Flag(
        name: .customLong("no-image"),
        help: """
            Leave the program image out of the receipt and keep only its id, for verifiers that already hold the \
            program: verifying then needs --program.
            """)
    var noImage = false

    @Flag(help: "Overwrite the output file if it exists.")
    var force = false

    @Flag(
        help: """
            Print one JSON object: program_id, exit_code, cycles, journal (hex), trace_length, profile, \
            prove_seconds, proof_bytes, image_included, proven_bits, conjectured_bits, output.
            """)
    var json = false

    func run() throws {
        let destination = URL(fileURLWithPath: output)
        // Refuse before the minutes of proving, not after.
        if !force && FileManager.default.fileExists(atPath: destination.path) {
            throw CLIFailure.report("\(output) already exists; pass --force to overwrite it")
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: destination.path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw CLIFailure.report("\(output) is a directory")
        }

        let loaded: Program
        do { loaded = try Program(contentsOf: program) } catch {
            if case .cannotReadFile = error { throw CLIFailure.report("\(error)") }
            throw CLIFailure.report("cannot load \(program): \(error)")
        }
        var limits = Limits.default
        limits.maxCycles = maxCycles
        let inputBytes = try input.map { try CLIFiles.read($0, limit: limits.maxInputBytes, what: "input") } ?? []

        let progress = isatty(2) == 1 ? ProgressDisplay() : nil
        guard extensionMemoryMB >= 0 else { throw CLIFailure.report("--extension-memory-mb must not be negative") }
        var options = ProveOptions(parameters: profile.profile.parameters, limits: limits, progress: progress?.report)
        options.mainExtensionMemoryLimit = extensionMemoryMB << 20
        options.includeImage = !noImage
        if let segmentLogRows {
            guard (TraceBuilder.minLogRows...TraceBuilder.maxLogRows).contains(segmentLogRows) else {
                throw CLIFailure.report(
                    "--segment-log-rows must be \(TraceBuilder.minLogRows)…\(TraceBuilder.maxLogRows) "
                        + "(2^\(TraceBuilder.minLogRows) to 2^\(TraceBuilder.maxLogRows) rows per segment)")
            }
            options.logSegmentRows = segmentLogRows
        }
        let start = Date()
        let info: ProveInfo
        do { info = try proveWithInfo(program: loaded, input: inputBytes, options: options) } catch {
            throw CLIFailure.report("\(error)")
        }
        let seconds = Date().timeIntervalSince(start)
        FileHandle.standardError.write(Data(info.log))

        let bytes = info.receipt.encoded()
        do { try CLIFiles.writeAtomically(bytes, to: destination, replacing: force) } catch {
            throw CLIFailure.report("cannot write \(output): \(error.localizedDescription)")
        }

        let claim = info.receipt.claim
        if json {
            let fields: [(String, String)] = [
                ("program_id", CLIFiles.quoted(claim.programID.hex)),
                ("exit_code", "\(claim.exitCode)"),
                ("cycles", "\(info.cycles)"),
                ("journal", CLIFiles.quoted(CLIFiles.hex(claim.journal))),
                ("trace_length", "\(claim.traceLength)"),
                ("segments", "\(claim.segmentCount)"),
                ("segment_rows", "\(claim.segmentLength)"),
                ("memory_rows", "\(claim.memoryTableLength)"),
                ("profile", CLIFiles.quoted(profile.rawValue)),
                ("prove_seconds", String(format: "%.3f", seconds)),
                ("proof_bytes", "\(bytes.count)"),
                ("image_included", noImage ? "false" : "true"),
                ("proven_bits", String(format: "%.1f", claim.provenBits)),
                ("conjectured_bits", String(format: "%.1f", claim.conjecturedBits)),
                ("output", CLIFiles.quoted(output)),
            ]
            print(CLIFiles.jsonObject(fields))
        } else {
            CLIFiles.printJournal(claim.journal)
            print("exit code   \(claim.exitCode)")
            print(
                "cycles      \(info.cycles) (\(claim.segmentCount) \(claim.segmentCount == 1 ? "segment" : "segments") "
                    + "of \(claim.segmentLength) rows, memory table of \(claim.memoryTableLength))")
            print("program id  \(claim.programID)")
            print(
                "proof       \(output), \(bytes.count) bytes, profile \(profile.rawValue)"
                    + (noImage ? ", without the program image" : ""))
            print(
                "security    \(String(format: "%.1f", claim.provenBits)) proven bits, "
                    + "\(String(format: "%.1f", claim.conjecturedBits)) conjectured bits")
            print("time        \(String(format: "%.1f", seconds)) s")
        }
        if claim.provenBits < VerifierPolicy.default.minimumProvenBits {
            FileHandle.standardError.write(
                Data(
                    ("note: the \(profile.rawValue) profile gives \(String(format: "%.1f", claim.provenBits)) proven "
                        + "bits, below the \(Int(VerifierPolicy.default.minimumProvenBits)) zkvm verify requires by "
                        + "default (see --min-bits)\n").utf8))
        }
    }
}

/// The profiles `zkvm prove` offers.
enum ProfileOption: String, CaseIterable, ExpressibleByArgument {
    case `default`, fast, compact, test

    var profile: Profile {
        switch self {
        case .default: return .default
        case .fast: return .fast
        case .compact: return .compact
        case .test: return .test
        }
    }
}

/// Prints each finished proving phase and the time so far on standard error, for a person watching a terminal.
/// Once a segment is proven (phase "prove segment k of N"), it adds an estimate of the time left: the segments to
/// go at the mean time of those done.
private final class ProgressDisplay: Sendable {
    private let start = Date()
    private let firstSegment = Mutex<Date?>(nil)

    var report: @Sendable (String, Double) -> Void {
        { [self] phase, seconds in
            let name = phase.padding(toLength: 34, withPad: " ", startingAt: 0)
            let now = Date()
            let elapsed = String(format: "%.1f", now.timeIntervalSince(self.start))
            var line = "  \(name) \(String(format: "%7.2f", seconds)) s   (\(elapsed) s elapsed"
            let words = phase.split(separator: " ")
            if phase.hasPrefix("prove segment "), words.count == 5, let k = Double(words[2]), let n = Double(words[4]) {
                let began = self.firstSegment.withLock { first in
                    if first == nil { first = now.addingTimeInterval(-seconds) }
                    return first!
                }
                let left = now.timeIntervalSince(began) / k * (n - k)
                line += String(format: ", about %.0f s left", left)
            }
            FileHandle.standardError.write(Data((line + ")\n").utf8))
        }
    }
}

/// An error already worth one line on standard error, ending the command with exit code 1 and no usage text.
enum CLIFailure {
    static func report(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        return ExitCode.failure
    }
}

/// File and formatting helpers shared by `prove`, `verify` and `inspect`.
enum CLIFiles {
    /// A whole file, refusing missing files, directories and files over `limit` bytes with a one-line error.
    static func read(_ path: String, limit: Int, what: String) throws -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CLIFailure.report("cannot read \(what) file \(path): no such file")
        }
        if isDirectory.boolValue { throw CLIFailure.report("cannot read \(what) file \(path): it is a directory") }
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > limit {
            throw CLIFailure.report("\(what) file \(path) is \(size) bytes, more than the \(limit) allowed")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIFailure.report("cannot read \(what) file \(path): permission denied or not a regular file")
        }
        return [UInt8](data)
    }

    /// Writes to a temporary file beside `url`, then moves it into place, so the destination never holds a partial
    /// file. Without `replacing`, an existing destination is left alone and the write fails. With `ownerOnly`, the
    /// file is created readable by its owner alone (mode 0600), never wider even for a moment.
    static func writeAtomically(_ bytes: [UInt8], to url: URL, replacing: Bool, ownerOnly: Bool = false) throws {
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).partial")
        defer { try? FileManager.default.removeItem(at: temporary) }
        if ownerOnly {
            let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno)!) }
            let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
            try handle.write(contentsOf: Data(bytes))
            try handle.close()
        } else {
            try Data(bytes).write(to: temporary)
        }
        if replacing {
            guard rename(temporary.path, url.path) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno)!) }
        } else {
            // link(2) fails if the destination appeared meanwhile, where rename(2) would silently replace it.
            guard link(temporary.path, url.path) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno)!) }
        }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped, everything else as UTF-8.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// `{"key": value, ...}` on one line, in the given order.
    static func jsonObject(_ fields: [(String, String)]) -> String {
        "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
    }

    /// The journal's size, hex and (when it is printable text) its text, as `zkvm run` prints them; `indent` and
    /// `column` (where the values start) fit it into a larger listing.
    static func printJournal(_ journal: [UInt8], indent: String = "", column: Int = 12) {
        func line(_ label: String, _ value: String) {
            print(indent + label.padding(toLength: column - indent.count, withPad: " ", startingAt: 0) + value)
        }
        line("journal", "\(journal.count) bytes")
        guard !journal.isEmpty else { return }
        line("  hex", hex(journal))
        if let text = printable(journal) { line("  text", text) }
    }

    /// The bytes as a quoted, escaped string when they are printable ASCII (tabs and newlines allowed), else nil.
    static func printable(_ bytes: [UInt8]) -> String? {
        var text = "\""
        for byte in bytes {
            switch byte {
            case 0x0a: text += "\\n"
            case 0x09: text += "\\t"
            case 0x0d: text += "\\r"
            case 0x22: text += "\\\""
            case 0x5c: text += "\\\\"
            case 0x20...0x7e: text.unicodeScalars.append(Unicode.Scalar(byte))
            default: return nil
            }
        }
        return text + "\""
    }
}
