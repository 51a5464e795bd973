import Foundation

/// The inputs a fuzz target may see accepted: byte for byte the genuine receipts or proofs of the seed corpus.
///
/// The fuzzer's invariant is that verification accepts nothing else. Every other input, however close to a genuine
/// one, must end in a typed error; an input that verifies and is not in this set is a forgery or a malleability of
/// the proof format, and the target traps so that libFuzzer saves it as a crash.
public struct GenuineInputs: Sendable {
    private let inputs: Set<[UInt8]>

    /// The files of the directory named by the environment variable `variable`, each one genuine input.
    ///
    /// A target without the variable stops at once: without its genuine inputs it would report the seeds
    /// themselves as accepted mutants.
    public static func load(fromDirectoryIn variable: String) -> GenuineInputs {
        guard let directory = ProcessInfo.processInfo.environment[variable], !directory.isEmpty else {
            fail("\(variable) must name the directory of genuine inputs (Scripts/fuzz sets it)")
        }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted() } catch {
            fail("cannot list \(directory): \(error)")
        }
        var inputs: Set<[UInt8]> = []
        for name in names {
            guard let data = FileManager.default.contents(atPath: directory + "/" + name) else {
                fail("cannot read \(directory)/\(name)")
            }
            inputs.insert([UInt8](data))
        }
        guard !inputs.isEmpty else { fail("\(directory) holds no genuine inputs") }
        return GenuineInputs(inputs: inputs)
    }

    /// Whether `bytes` is one of the genuine inputs.
    public func contains(_ bytes: [UInt8]) -> Bool { inputs.contains(bytes) }

    /// Every genuine input, for the targets' start-up check that each still verifies.
    public var all: [[UInt8]] { inputs.sorted { $0.lexicographicallyPrecedes($1) } }

    /// The number of genuine inputs.
    public var count: Int { inputs.count }
}

/// Stops the fuzzer with a message on stderr: a set-up error, not a finding.
public func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("fuzz target: \(message)\n".utf8))
    exit(2)
}

/// Reports a broken invariant: the message goes to stderr and the process traps, which libFuzzer records as a
/// crash and saves the input that caused it.
public func violated(_ message: String, input: [UInt8]) -> Never {
    let head = input.prefix(32).map { String(format: "%02x", $0) }.joined()
    fatalError("invariant violated: \(message) (input of \(input.count) bytes, starting \(head))")
}

/// The input libFuzzer passes, as an array (libFuzzer may pass a null pointer for the empty input).
public func inputBytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data, size > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: size))
}
