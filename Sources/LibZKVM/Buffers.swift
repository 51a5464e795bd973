import Foundation

// The crossing between C's pointers and lengths and Swift's arrays: every check a C caller's arguments get before
// anything is read, and every buffer handed back.

/// Copies a caller's input buffer, refusing a NULL pointer with a nonzero length and a length that does not fit
/// `ptrdiff_t` (a negative `Int` here: `size_t` arrives in an `Int` of the same width).
func copyInput(_ pointer: UnsafePointer<UInt8>?, count: Int, _ name: String) throws(Failure) -> [UInt8] {
    guard count >= 0 else { throw Failure(.argument, "\(name)_len is \(UInt(bitPattern: count)), too large") }
    guard count > 0 else { return [] }
    guard let pointer else { throw Failure(.argument, "\(name) is NULL but \(name)_len is \(count)") }
    return Array(UnsafeBufferPointer(start: pointer, count: count))
}

/// A caller's NUL-terminated string, which must be UTF-8.
func readString(_ pointer: UnsafePointer<CChar>, _ name: String) throws(Failure) -> String {
    guard let text = String(validatingCString: pointer) else { throw Failure(.argument, "\(name) is not UTF-8") }
    return text
}

/// A copy of `bytes` in memory from `malloc`, for the caller to release with `zkvm_free`; never NULL, even for no
/// bytes, so that a caller can tell an empty result from none.
func allocateCopy(_ bytes: [UInt8]) throws(Failure) -> UnsafeMutablePointer<UInt8> {
    guard let raw = malloc(max(bytes.count, 1)) else {
        throw Failure(.internal, "cannot allocate \(bytes.count) bytes for the result")
    }
    let pointer = raw.bindMemory(to: UInt8.self, capacity: max(bytes.count, 1))
    bytes.withUnsafeBufferPointer { if let base = $0.baseAddress { pointer.initialize(from: base, count: $0.count) } }
    return pointer
}

/// Runs one call of the C interface: clears the error output, runs `body`, and turns a failure into its status
/// code and a message in `*error` (left NULL when even the message cannot be allocated).
func runCall(
    message: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ body: () throws(Failure) -> Void
) -> Int32 {
    message?.pointee = nil
    do {
        try body()
        return Status.ok.rawValue
    } catch {
        message?.pointee = strdup(error.message)
        return error.status.rawValue
    }
}
