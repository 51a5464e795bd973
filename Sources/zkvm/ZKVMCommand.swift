import ArgumentParser

@main
struct ZKVMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zkvm",
        abstract: "A zero-knowledge provable RISC-V (RV32IM) virtual machine.",
        subcommands: [Bench.self, CircuitCommand.self, Run.self, Prove.self, Verify.self, Inspect.self]
    )
}

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the speed of zkvm's building blocks.",
        subcommands: [BenchPrimitives.self, BenchVM.self, BenchStark.self, BenchProve.self]
    )
}
