// The Swift face of a zkvm guest: the same four verbs as Guest/zkvm.h (read, commit, log, exit), over the same
// Linux system calls, so a Swift guest also runs under qemu-riscv32. Guest/build.sh compiles this file into every
// Swift guest, with a bridging header that includes zkvm.h (whose inline functions make the calls); nothing needs
// importing.

/// A guest program's connection to the machine: its private input, its public journal, its log and its exit.
///
/// The input is what the prover supplies and the proof keeps secret; the journal is the public output that a
/// proof binds; the log is for diagnostics and is part of no proof.
public enum ZKVM {
    /// The whole private input, read until it ends.
    public static func readInput() -> [UInt8] {
        // Read straight into the array's storage; when it fills, into one twice the size, the bytes so far moved
        // by memcpy (a generic append would copy them one at a time).
        var size = 1024
        var input = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = read(into: UnsafeMutableRawBufferPointer(buffer))
        }
        while input.count == size {
            size *= 2
            let previous = input
            input = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
                let storage = UnsafeMutableRawBufferPointer(buffer)
                previous.withUnsafeBytes { storage.copyMemory(from: $0) }
                let rest = UnsafeMutableRawBufferPointer(rebasing: storage[previous.count...])
                count = previous.count + read(into: rest)
            }
        }
        return input
    }

    /// Fills `buffer` from the private input; returns how many bytes it read, fewer than `buffer.count` only when
    /// the input ended (0 once it is used up).
    ///
    /// Like `zkvm_read_all`, this reads until the buffer is full: under qemu a pipe may deliver the input in
    /// pieces.
    public static func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        return zkvm_read_all(base, buffer.count)
    }

    /// Appends `bytes` to the journal, the public output that a proof binds.
    public static func commit(_ bytes: some Collection<UInt8>) {
        let written: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            zkvm_commit(buffer.baseAddress, buffer.count)
        }
        if written == nil {
            let copy = [UInt8](bytes)
            copy.withUnsafeBufferPointer { zkvm_commit($0.baseAddress, $0.count) }
        }
    }

    /// Appends `message` to the diagnostic log (fd 2): shown by `zkvm run`, part of no proof. No newline is added.
    public static func log(_ message: String) {
        var message = message
        message.withUTF8 { zkvm_log($0.baseAddress, $0.count) }
    }

    /// Stops the guest with `code` as its exit code.
    public static func exit(_ code: Int32) -> Never {
        zkvm_exit(code)
    }
}

/// A guest whose `main` returns its exit code.
///
/// How to use it:
/// 1. Declare a type with `@main` that conforms to `ZKVMGuest`.
/// 2. Give it `static func main() -> Int32`; its result becomes the exit code, as returning from C's `main` does.
///
/// (A guest may instead use top-level code in `main.swift`, or `@main` with `static func main()`, and call
/// ``ZKVM/exit(_:)`` for a non-zero code.)
public protocol ZKVMGuest {
    /// Runs the guest; the result is its exit code.
    static func main() -> Int32
}

extension ZKVMGuest {
    /// The entry point `@main` calls: runs the guest and exits with its code.
    public static func main() {
        let code: Int32 = main()
        ZKVM.exit(code)
    }
}
