import Foundation
import ZKVM

// Writes the seed corpora and the genuine inputs of the two fuzz targets:
//
//     OUT/receipt/corpus   receipts: test-profile receipts of example guests (one of them in two segments), and
//                          receipts whose last proof's memory table stands in another table's place
//     OUT/receipt/genuine  the receipts above that are genuine (the test-profile ones)
//     OUT/stark/corpus     every proof of Vectors/proofs, valid and invalid
//     OUT/stark/genuine    the valid ones, as Vectors/proofs/manifest.txt lists them
//
// Receipts are made here rather than committed because they depend on the RV32IM circuit, whose id changes with
// it. The test profile keeps them small (about 100 KB a proof) and fast to verify.
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
        }

        // MARK: - 2. Receipts of example guests, test profile

        // Each example on its input, and fibonacci for n = 150 in two segments of 2^10 rows, so that the corpus
        // holds a receipt whose segments are joined across a boundary.
        var segmented = ProveOptions(profile: .test)
        segmented.logSegmentRows = 10
        let runs =
            programs.map { ($0, $0, nil as [UInt8]?, ProveOptions(profile: .test)) }
            + [("fibonacci-segments", "fibonacci", [150, 0, 0, 0], segmented)]
        for (seed, name, given, options) in runs {
            let directory = repository + "/Vectors/programs/" + name
            let started = Date()
            do {
                let program = try Program(contentsOf: directory + "/program.elf")
                let input =
                    given
                    ?? (FileManager.default.fileExists(atPath: directory + "/input.bin")
                        ? read(directory + "/input.bin") : [])
                let receipt = try prove(program: program, input: input, options: options)
                let bytes = receipt.encoded()
                write(bytes, out + "/receipt/corpus", "\(seed)-test.rct")
                write(bytes, out + "/receipt/genuine", "\(seed)-test.rct")
                let seconds = String(format: "%.1f", -started.timeIntervalSinceNow)
                print(
                    "receipt of \(seed): \(receipt.segmentProofs.count) segments, \(bytes.count) bytes in \(seconds) s")

                // The same envelope with the last proof's memory table in the segment's table's place and in the
                // lookup table's: seeds for the paths past decoding where the verifier meets circuit ids, tables and
                // heights that are not the ones it expects there.
                let last = receipt.segmentProofs.count - 1
                for (t, name) in [(0, "memory-as-segment"), (1, "memory-as-lookups")] {
                    var foreign = receipt
                    foreign.segmentProofs[last].tables.swapAt(t, 2)
                    write(foreign.encoded(), out + "/receipt/corpus", "\(seed)-\(name).rct")
                }
            } catch { die("cannot prove \(seed): \(error)") }
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
