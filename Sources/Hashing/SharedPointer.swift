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
