import Foundation
import ZKVM

// Writes the seed corpora and the genuine inputs of the two fuzz targets:
//
//     OUT/receipt/corpus   receipts: test-profile receipts of example guests, and a receipt carrying a proof of
//                          another circuit
//     OUT/receipt/genuine  the receipts above that are genuine (the test-profile ones)
//     OUT/stark/corpus     every proof of Vectors/proofs, valid and invalid
//     OUT/stark/genuine    the valid ones, as Vectors/proofs/manifest.txt lists them
//
// Receipts are made here rather than committed because they depend on the RV32IM circuit, whose id changes with
// it. The test profile keeps them small (about 85 KB) and fast to verify.
//
// Usage: FuzzSeeds OUT [REPOSITORY] [PROGRAM...]   (programs are names under Vectors/programs; default hello
// and fibonacci)

@main
enum FuzzSeeds {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        guard let out = arguments.first else {
            FileHandle.standardError.write(Data("usage: FuzzSeeds OUT [REPOSITORY] [PROGRAM...]\n".utf8))
            exit(2)
        }
        let repository =
            arguments.dropFirst().first
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../..")
            .standardized.path
        let programs = arguments.count > 2 ? Array(arguments.dropFirst(2)) : ["hello", "fibonacci"]

        // MARK: - 1. STARK proofs of the example circuits

        let vectors = repository + "/Vectors/proofs"
        var fibonacciProof: StarkProof?
        guard let manifest = String(data: Data(read(vectors + "/manifest.txt")), encoding: .utf8) else {
            die("manifest.txt is not text")
        }
        for line in manifest.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == 5 else { die("manifest line has \(fields.count) fields: \(line)") }
            let (file, outcome) = (fields[0], fields[4])
            let bytes = read(vectors + "/" + file)
            write(bytes, out + "/stark/corpus", file)
            // A proof refused only for its weak parameters is valid: the lenient policy accepts it.
            if outcome == "accept" || outcome.hasPrefix("reject: proof parameters give") {
                write(bytes, out + "/stark/genuine", file)
            }
            if file == "fibonacci-64-test.bin" { fibonacciProof = try? StarkProof(decoding: bytes) }
        }
        guard let goldenFibonacci = fibonacciProof else {
            die("Vectors/proofs/fibonacci-64-test.bin is missing or does not decode")
        }

        // MARK: - 2. Receipts of example guests, test profile

        for name in programs {
            let directory = repository + "/Vectors/programs/" + name
            let started = Date()
            do {
                let program = try Program(contentsOf: directory + "/program.elf")
                let input =
                    FileManager.default.fileExists(atPath: directory + "/input.bin")
                    ? read(directory + "/input.bin") : []
                let receipt = try prove(program: program, input: input, options: ProveOptions(profile: .test))
                let bytes = receipt.encoded()
                write(bytes, out + "/receipt/corpus", "\(name)-test.rct")
                write(bytes, out + "/receipt/genuine", "\(name)-test.rct")
                let seconds = String(format: "%.1f", -started.timeIntervalSinceNow)
                print("receipt of \(name): \(bytes.count) bytes in \(seconds) s")

                // The same envelope around a valid proof of another circuit: a seed for the paths past decoding where
                // the verifier meets a circuit id, trace length and shape that are not the RV32IM circuit's.
                var foreign = receipt
                foreign.proof = goldenFibonacci
                write(foreign.encoded(), out + "/receipt/corpus", "\(name)-fibonacci-proof.rct")
            } catch { die("cannot prove \(name): \(error)") }
        }
        print("seeds written to \(out)")
    }
}

func die(_ message: String) -> Never {
    FileHandle.standardError.write(Data("FuzzSeeds: \(message)\n".utf8))
    exit(1)
}

func read(_ path: String) -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else { die("cannot read \(path)") }
    return [UInt8](data)
}

func write(_ bytes: [UInt8], _ directory: String, _ name: String) {
    do {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: directory + "/" + name))
    } catch { die("cannot write \(directory)/\(name): \(error)") }
}
