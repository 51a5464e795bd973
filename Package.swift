// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "zkvm",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "zkvm", targets: ["zkvm"]),
        .library(name: "Field", targets: ["Field"]),
        .library(name: "Hashing", targets: ["Hashing"]),
        .library(name: "AIR", targets: ["AIR"]),
        .library(name: "RV32IM", targets: ["RV32IM"]),
        .library(name: "ZKVM", targets: ["ZKVM"]),
        // libzkvmc.so, the C interface declared in include/zkvmc.h (the executable already has the name zkvm).
        .library(name: "zkvmc", type: .dynamic, targets: ["LibZKVM"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
    ],
    targets: [
        .systemLibrary(name: "CGMP", pkgConfig: "gmp", providers: [.apt(["libgmp-dev"])]),
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium", providers: [.apt(["libsodium-dev"])]),
        .target(name: "CPrefetch"),
        .target(name: "Field", dependencies: ["CGMP"]),
        .target(name: "Hashing", dependencies: ["Field", "CSodium"]),
        .target(name: "AIR", dependencies: ["Field"]),
        .target(name: "FRI", dependencies: ["Field", "Hashing"]),
        .target(name: "Proof", dependencies: ["AIR", "Field", "Hashing"]),
        .target(name: "Prover", dependencies: ["AIR", "CPrefetch", "FRI", "Field", "Hashing", "Proof"]),
        .target(name: "Verifier", dependencies: ["AIR", "FRI", "Field", "Hashing", "Proof"]),
        .target(name: "ExampleAIRs", dependencies: ["AIR", "Field"]),
        .target(name: "RV32IM"),
        .target(name: "Circuit", dependencies: ["AIR", "Field", "Hashing", "RV32IM"]),
        .target(name: "Profiler", dependencies: ["RV32IM"]),
        .target(
            name: "ZKVM",
            dependencies: ["RV32IM", "Circuit", "AIR", "Proof", "Prover", "Verifier", "Field", "Hashing"]
        ),
        .target(name: "LibZKVM", dependencies: ["ZKVM"]),
        .executableTarget(
            name: "zkvm",
            dependencies: [
                "Field", "Hashing", "RV32IM", "AIR", "Proof", "Prover", "Verifier", "ExampleAIRs", "Circuit", "ZKVM",
                "Profiler",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "FieldTests", dependencies: ["Field", "CGMP"]),
        .testTarget(name: "HashingTests", dependencies: ["Hashing", "Field"]),
        .testTarget(name: "AIRTests", dependencies: ["AIR", "Field", "ExampleAIRs"]),
        .testTarget(name: "FRITests", dependencies: ["FRI", "Field", "Hashing"]),
        .testTarget(
            name: "StarkTests",
            dependencies: ["AIR", "ExampleAIRs", "FRI", "Field", "Hashing", "Proof", "Prover", "Verifier"]),
        .testTarget(
            name: "CircuitTests",
            dependencies: ["AIR", "Circuit", "Field", "Hashing", "RV32IM", "Proof", "Prover", "Verifier", "ZKVM"]),
        .testTarget(name: "RV32IMTests", dependencies: ["RV32IM"]),
        .testTarget(name: "ProfilerTests", dependencies: ["Profiler", "RV32IM"]),
        .testTarget(name: "CLITests", dependencies: ["zkvm"]),
        .testTarget(name: "ZKVMTests", dependencies: ["ZKVM"]),
    ]
)
