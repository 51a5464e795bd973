import ArgumentParser

@main
struct ZKVMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zkvm",
        abstract: "A zero-knowledge provable RISC-V (RV32IM) virtual machine.",
        subcommands: [Bench.self, CircuitCommand.self, Run.self, Prove.self, Segment.self, Verify.self, Inspect.self]
    )

    static func main() {
        // The prover allocates and frees columns of megabytes by the hundred. glibc would raise its mmap threshold
        // after the first such free and serve later ones from its heaps, which keep freed memory: a second proof in
        // one process then peaks gigabytes higher. A fixed threshold keeps every large buffer mapped on its own and
        // returned when freed.
        #if os(Linux)
            _ = glibcMallopt(-3, 1 << 20)  // M_MMAP_THRESHOLD from <malloc.h>, which Glibc's module does not export
        #endif
        Self.main(nil)
    }
}

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the speed of zkvm's building blocks.",
        subcommands: [BenchPrimitives.self, BenchVM.self, BenchStark.self, BenchProve.self, BenchVerify.self]
    )
}

#if os(Linux)
    /// glibc's `int mallopt(int param, int value)`.
    @_silgen_name("mallopt")
    private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
