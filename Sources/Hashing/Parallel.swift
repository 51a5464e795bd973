import Dispatch

/// A raw pointer handed to worker threads that write disjoint parts of one buffer.
///
/// `@unchecked` because the compiler cannot see that the parts are disjoint; every use documents the split.
struct SharedPointer<Pointee>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Pointee>
}

/// A read-only raw pointer handed to worker threads.
struct SharedReadPointer<Pointee>: @unchecked Sendable {
    let base: UnsafePointer<Pointee>
}

enum Parallel {
    /// Runs `body(i)` for every `i` in `0 ..< count`, spread over all cores; returns when all are done.
    /// A single iteration runs on the caller's thread, so small jobs pay no scheduling cost.
    static func forEach(_ count: Int, _ body: @Sendable (Int) -> Void) {
        if count == 1 {
            body(0)
        } else if count > 1 {
            DispatchQueue.concurrentPerform(iterations: count, execute: body)
        }
    }
}
