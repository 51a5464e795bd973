// swift-tools-version:6.0
import Foundation
import PackageDescription

// libFuzzer targets for the receipt and proof decoders and the verifier. A package of its own, so that the main
// package's build knows nothing of sanitizers; `Scripts/fuzz` builds it with `--sanitize=fuzzer --sanitize=address`.
//
// A path dependency's identity is the last component of its path, so the main package is named after the folder
// this repository was cloned into.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let zkvm = root.lastPathComponent.lowercased()

// libFuzzer supplies `main`; the targets are libraries of top-level declarations, never scripts.
let fuzzTargetSettings: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]

let package = Package(
    name: "zkvm-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "..")],
    targets: [
        .target(name: "FuzzSupport"),
        .executableTarget(
            name: "FuzzReceipt",
            dependencies: ["FuzzSupport", .product(name: "ZKVM", package: zkvm)],
            swiftSettings: fuzzTargetSettings),
        .executableTarget(
            name: "FuzzStark",
            dependencies: [
                "FuzzSupport", .product(name: "ZKVM", package: zkvm), .product(name: "AIR", package: zkvm),
            ],
            swiftSettings: fuzzTargetSettings),
        .executableTarget(name: "FuzzSeeds", dependencies: [.product(name: "ZKVM", package: zkvm)]),
    ]
)
