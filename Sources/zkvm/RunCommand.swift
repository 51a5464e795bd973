import ArgumentParser
import Foundation
import Profiler
import RV32IM

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Execute a guest program without proving: journal, exit code and cycle count.",
        discussion: """
            PROGRAM is an ELF32 RISC-V (RV32IM) static executable, or any other file as a raw image loaded at \
            address 0 with entry point 0. The guest's diagnostic log (fd 2) goes to standard error. Exits 0 when \
            the guest called exit, whatever its exit code; otherwise prints the fault on one line and exits 1.

            --profile writes the guest's cycles by call stack as a pprof profile (gzip'd profile.proto: view it \
            with `pprof -top` or `pprof -http=:8080`); functions and source lines come from the ELF symbol table \
            and DWARF line table where present, else functions are named by entry address. The profile is written \
            even when the guest faults. See docs/profiler.md.
            """)

    @Argument(help: "The guest program (ELF32 RISC-V executable or raw image).")
    var program: String

    @Option(help: "File whose bytes are the private input the guest reads with read(0, …).")
    var input: String?

    @Option(help: "Most instructions to execute before giving up.")
    var maxCycles: UInt64 = Limits.default.maxCycles

    @Option(help: "Most 4 KiB memory pages the guest may touch, its loaded image included.")
    var maxPages: Int = Limits.default.maxPages

    @Option(help: "Largest private input in bytes.")
    var maxInputBytes: Int = Limits.default.maxInputBytes

    @Option(help: "Largest journal plus diagnostic log in bytes.")
    var maxOutputBytes: Int = Limits.default.maxOutputBytes

    @Flag(help: "Print one JSON object: program_id, exit_code, cycles, journal (hex), log (hex), pages.")
    var json = false

    @Option(
        help: ArgumentHelp(
            "Write the guest's cycles by call stack to this file, a gzip'd pprof profile.", valueName: "file"))
    var profile: String?

    @Option(help: ArgumentHelp("Print the n functions with the most self cycles on standard error.", valueName: "n"))
    var profileTop: Int?

    func validate() throws {
        if let profileTop, profileTop < 1 {
            throw ValidationError("--profile-top must be at least 1, not \(profileTop)")
        }
    }

    /// Program files beyond this are refused before being read: none that fits the default page limit comes close.
    private static let largestProgramFile = 1 << 30

    func run() throws {
        let limits = Limits(
            maxCycles: maxCycles, maxInputBytes: maxInputBytes, maxPages: maxPages, maxOutputBytes: maxOutputBytes)
        let programBytes = try readFile(program, limit: Run.largestProgramFile, what: "program")
        let inputBytes = try input.map { try readFile($0, limit: limits.maxInputBytes, what: "input") } ?? []

        let machine: Machine
        do {
            machine = try Machine(program: try Program(bytes: programBytes), input: inputBytes, limits: limits)
        } catch {
            throw fail("cannot load \(program): \(error)")
        }
        if let profile { try prepareOutput(profile) }
        let profiling = profile != nil || profileTop != nil
        var tree = CallTree()
        let result: ExecutionResult
        do {
            if profiling {
                result = try machine.run { chunk in tree.record(chunk) }
            } else {
                result = try machine.run()
            }
        } catch {
            FileHandle.standardError.write(Data(machine.log))
            if profiling { try report(tree, machine: machine, programBytes: programBytes, ending: "fault: \(error)") }
            throw fail("\(error) (after \(machine.cycles) \(machine.cycles == 1 ? "cycle" : "cycles"))")
        }

        FileHandle.standardError.write(Data(result.log))
        if profiling {
            try report(tree, machine: machine, programBytes: programBytes, ending: "exit code \(result.exitCode)")
        }
        if json {
            print(
                "{\"program_id\": \"\(machine.program.idHex)\", \"exit_code\": \(result.exitCode), "
                    + "\"cycles\": \(result.cycles), \"journal\": \"\(CLIFiles.hex(result.journal))\", "
                    + "\"log\": \"\(CLIFiles.hex(result.log))\", \"pages\": \(result.pagesTouched)}")
        } else {
            CLIFiles.printJournal(result.journal)
            print("exit code   \(result.exitCode)")
            print("cycles      \(result.cycles)")
            print("program id  \(machine.program.idHex)")
        }
    }

    /// Writes the profile and prints the top functions, as asked; `ending` says how the run ended.
    private func report(_ tree: CallTree, machine: Machine, programBytes: [UInt8], ending: String) throws {
        let symbolizer = Symbolizer(programFile: programBytes, program: machine.program)
        for warning in symbolizer.warnings {
            FileHandle.standardError.write(Data("warning: \(program): \(warning)\n".utf8))
        }
        let built = ProfileBuilder.build(
            tree: tree, program: machine.program, symbolizer: symbolizer, programFile: program,
            comments: ["zkvm run \(program)", "program id \(machine.program.idHex)", ending])
        if let profileTop {
            FileHandle.standardError.write(Data(built.topFunctions(profileTop).utf8))
        }
        if let profile, let reason = Run.store(built.gzipped(), at: profile) {
            throw fail(ProfilerError.cannotWrite(path: profile, reason: reason).description)
        }
    }

    /// Fails before the run, not after it, when the profile cannot be written: creates (or empties) the file.
    private func prepareOutput(_ path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw fail(ProfilerError.cannotWrite(path: path, reason: "it is a directory").description)
        }
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw fail(ProfilerError.cannotWrite(path: path, reason: "no such directory \(parent)").description)
        }
        if let reason = Run.store([], at: path) {
            throw fail(ProfilerError.cannotWrite(path: path, reason: reason).description)
        }
    }

    /// Writes `bytes` to the file at `path`, created or emptied; returns the system's reason when that fails.
    private static func store(_ bytes: [UInt8], at path: String) -> String? {
        func reason() -> String {
            let text = String(cString: strerror(errno))
            return text.prefix(1).lowercased() + text.dropFirst()
        }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { return reason() }
        defer { close(descriptor) }
        var done = 0
        while done < bytes.count {
            let count = bytes[done...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return reason()
            }
            done += count
        }
        return nil
    }

    /// A one-line message on standard error and a non-zero exit, with no usage text: the arguments were fine.
    private func fail(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        return ExitCode.failure
    }

    private func readFile(_ path: String, limit: Int, what: String) throws -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw fail("cannot read \(what) file \(path): no such file")
        }
        if isDirectory.boolValue { throw fail("cannot read \(what) file \(path): it is a directory") }
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > limit {
            if what == "input" { throw fail(RV32IMError.inputTooLarge(size: size, limit: limit).description) }
            throw fail("\(what) file \(path) is \(size) bytes, larger than the \(limit) bytes any program can be")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw fail("cannot read \(what) file \(path): permission denied or not a regular file")
        }
        return [UInt8](data)
    }
}
