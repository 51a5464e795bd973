import ArgumentParser
import Foundation
import RV32IM

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Execute a guest program without proving: journal, exit code and cycle count.",
        discussion: """
            PROGRAM is an ELF32 RISC-V (RV32IM) static executable, or any other file as a raw image loaded at \
            address 0 with entry point 0. The guest's diagnostic log (fd 2) goes to standard error. Exits 0 when \
            the guest called exit, whatever its exit code; otherwise prints the fault on one line and exits 1.
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
        let result: ExecutionResult
        do {
            result = try machine.run()
        } catch {
            FileHandle.standardError.write(Data(machine.log))
            throw fail("\(error) (after \(machine.cycles) \(machine.cycles == 1 ? "cycle" : "cycles"))")
        }

        FileHandle.standardError.write(Data(result.log))
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
