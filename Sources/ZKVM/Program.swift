import Foundation
import RV32IM

/// A guest program ready to run and prove: an ELF32 RISC-V (RV32IM) static executable, or a raw image loaded at
/// address 0 with entry point 0.
///
/// ```swift
/// let program = try Program(contentsOf: "guest.elf")
/// print(program.id)  // 64 hex digits: what a verifier expects
/// ```
public struct Program: Equatable, Sendable {
    /// The loaded image the machine runs and the circuit is derived from.
    let image: RV32IM.Program

    /// Programs larger than this are refused before being read: the guest's whole address space below the stack
    /// is smaller.
    public static let maximumFileSize = 1 << 31

    /// Loads a program from a file's bytes: ELF32 RISC-V if they start with the ELF magic, otherwise a raw image.
    ///
    /// - Throws: ``ZKVMError/invalidProgram(_:)`` with the loader's reason when the bytes are not a program
    ///   zkvm can run.
    public init(bytes: [UInt8]) throws(ZKVMError) {
        do { image = try RV32IM.Program(bytes: bytes) } catch { throw .invalidProgram(error) }
    }

    /// Loads a program from the file at `path`.
    ///
    /// - Throws: ``ZKVMError/cannotReadFile(path:reason:)`` when the file cannot be read, or
    ///   ``ZKVMError/invalidProgram(_:)`` when its bytes are not a program.
    public init(contentsOf path: String) throws(ZKVMError) {
        try self.init(bytes: readFile(path, limit: Program.maximumFileSize))
    }

    /// A program from its loaded segments and entry point, as a receipt carries it.
    ///
    /// - Throws: ``ZKVMError/invalidProgram(_:)`` when the segments overlap, leave the entry point outside
    ///   code, or reach into the stack.
    public init(segments: [Segment], entry: UInt32) throws(ZKVMError) {
        do { image = try RV32IM.Program(segments: segments, entry: entry) } catch { throw .invalidProgram(error) }
    }

    /// The program id: a SHA-256 digest of the loaded segments and the entry point. Two files that load the same
    /// bytes at the same addresses have the same id, whatever their ELF headers say.
    public var id: ProgramID { ProgramID(validatedBytes: image.id) }

    /// The loaded segments, in ascending address order.
    public var segments: [Segment] { image.segments }

    /// The address of the first instruction.
    public var entry: UInt32 { image.entry }
}

/// A loaded segment of a program: address, size, initialised bytes and whether it holds code.
public typealias Segment = RV32IM.Segment

/// The 32-byte identity of a program, printed as 64 lowercase hex digits.
///
/// This is what a verifier pins: a receipt is accepted only for the program id the verifier expects.
public struct ProgramID: Hashable, Sendable, CustomStringConvertible {
    /// The 32 bytes.
    public let bytes: [UInt8]

    init(validatedBytes bytes: [UInt8]) { self.bytes = bytes }

    /// Parses 64 hexadecimal digits (either case), as ``description`` prints them; surrounding whitespace is
    /// ignored.
    ///
    /// - Throws: ``ZKVMError/invalidProgramID(_:)`` for anything else.
    public init(hex: String) throws(ZKVMError) {
        let text = hex.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bytes = hexDecoded(text), bytes.count == 32 else { throw .invalidProgramID(hex) }
        self.bytes = bytes
    }

    /// The id as 64 lowercase hex digits.
    public var hex: String { hexEncoded(bytes) }

    /// The id as 64 lowercase hex digits.
    public var description: String { hex }
}

/// Reads a whole file, refusing directories, missing files and files over `limit` bytes with a readable reason.
func readFile(_ path: String, limit: Int) throws(ZKVMError) -> [UInt8] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw .cannotReadFile(path: path, reason: "no such file")
    }
    if isDirectory.boolValue { throw .cannotReadFile(path: path, reason: "it is a directory") }
    if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > limit {
        throw .cannotReadFile(path: path, reason: "it is \(size) bytes, more than the \(limit) allowed")
    }
    guard let data = FileManager.default.contents(atPath: path) else {
        throw .cannotReadFile(path: path, reason: "permission denied or not a regular file")
    }
    return [UInt8](data)
}

/// Lowercase hex digits, two per byte.
func hexEncoded<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    for byte in bytes {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 15)])
    }
    return String(decoding: out, as: UTF8.self)
}

/// The bytes an even number of hex digits (either case) spell, or nil.
func hexDecoded(_ text: String) -> [UInt8]? {
    let utf8 = Array(text.utf8)
    guard utf8.count % 2 == 0 else { return nil }
    func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x61...0x66: return c - 0x61 + 10
        case 0x41...0x46: return c - 0x41 + 10
        default: return nil
        }
    }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(utf8.count / 2)
    var i = 0
    while i < utf8.count {
        guard let high = nibble(utf8[i]), let low = nibble(utf8[i + 1]) else { return nil }
        bytes.append(high << 4 | low)
        i += 2
    }
    return bytes
}
