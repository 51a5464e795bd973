import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Spreading loops over the machine's cores.
public enum Parallel {
    /// The number of online cores (at least 1).
    public static let coreCount: Int = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    /// Calls `body` once for each of `count` contiguous, equal-as-possible ranges that split `0..<total`, running the
    /// ranges on all cores. With `count` 1 (or `total` small) it simply runs on the caller's thread.
    public static func forEachChunk(
        of total: Int, chunks count: Int = coreCount, minimumChunk: Int = 1,
        _ body: @Sendable (Range<Int>) -> Void
    ) {
        let chunks = max(1, min(count, total / max(1, minimumChunk)))
        if chunks == 1 {
            body(0..<total)
            return
        }
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            body(total * c / chunks..<total * (c + 1) / chunks)
        }
    }
}
