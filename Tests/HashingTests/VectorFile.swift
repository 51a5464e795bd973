import Foundation
import Hashing

/// A known-answer file under `Vectors/`: its records, with the `#` header stripped.
struct VectorFile {
    /// Non-empty, non-comment lines split on single spaces.
    let records: [[String]]
    /// The number after `# Count:` in the header.
    let declaredCount: String

    init(_ relativePath: String, filePath: String = #filePath) throws {
        let root = URL(fileURLWithPath: filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("Vectors/" + relativePath), encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        declaredCount = lines.first { $0.hasPrefix("# Count:") }.map { String($0.dropFirst(8)).trimmed } ?? ""
        records = lines.filter { !$0.hasPrefix("#") }.map { $0.split(separator: " ").map(String.init) }
    }
}

extension String {
    var trimmed: String { trimmingCharacters(in: .whitespaces) }
}

struct BadHex: Error {}

/// Bytes from hexadecimal; "-" is the empty string.
func bytes(hex: String) throws -> [UInt8] {
    if hex == "-" { return [] }
    let digits = Array(hex.utf8)
    guard digits.count % 2 == 0 else { throw BadHex() }
    return try stride(from: 0, to: digits.count, by: 2).map { i in
        guard let byte = UInt8(String(decoding: digits[i..<i + 2], as: UTF8.self), radix: 16) else { throw BadHex() }
        return byte
    }
}

func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
