import AIR
import Circuit
import Foundation
import Proof
import XCTest

/// `Circuits/rv32im.air` is the RV32IM circuit: it loads to the AIR `CPUCircuit` builds in Swift, with `Col`'s
/// columns in `Col`'s order, and the library embeds exactly its text.
final class CircuitFileEquivalenceTests: XCTestCase {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    private static let path = root.appendingPathComponent("Circuits/rv32im.air").path

    func testFileIsTheSwiftCircuit() throws {
        let air = try AIR(contentsOfCircuitFile: Self.path)
        XCTAssertEqual(air.canonicalDescription, CPUCircuit.swiftReference.canonicalDescription)
        XCTAssertEqual(air.mainColumns.map(\.name), Col.committed.map(\.name))
        // Not part of the circuit id, but the file is where the doc lines live now: they must say what Col says.
        XCTAssertEqual(air.mainColumns, CPUCircuit.swiftReference.mainColumns)
        XCTAssertEqual(air.publicInputs, CPUCircuit.swiftReference.publicInputs)
        XCTAssertEqual(air.publicInputs.map(\.name), CPUCircuit.publicInputNames)
        // Equal descriptions imply these; comparing them too names the first difference when they are not.
        XCTAssertEqual(air.constraints.map(\.name), CPUCircuit.swiftReference.constraints.map(\.name))
        XCTAssertEqual(air.constraints, CPUCircuit.swiftReference.constraints)
        XCTAssertEqual(air.buses.map(\.name), CPUCircuit.swiftReference.buses.map(\.name))
        XCTAssertEqual(air.buses, CPUCircuit.swiftReference.buses)
        XCTAssertEqual(air.periodicColumns, CPUCircuit.swiftReference.periodicColumns)
    }

    /// The text the library loads at run time is the file's, byte for byte; run Scripts/embed-circuits to update it.
    func testEmbeddedSourceIsTheFile() throws {
        let file = try Data(contentsOf: URL(fileURLWithPath: Self.path))
        XCTAssertEqual(
            Data(CircuitSource.rv32im.utf8), file, "CircuitSource.swift is stale: run Scripts/embed-circuits")
    }

    func testLoadedAIRIsTheSwiftCircuit() {
        XCTAssertEqual(CPUCircuit.loadedAIR.canonicalDescription, CPUCircuit.swiftReference.canonicalDescription)
        XCTAssertEqual(CPUCircuit.loadedAIR.mainColumns, CPUCircuit.swiftReference.mainColumns)
    }

    /// The circuit the library loads has the id Circuits/digests.txt pins for the file.
    func testLoadedAIRHasThePinnedCircuitId() throws {
        let digests = try String(contentsOf: Self.root.appendingPathComponent("Circuits/digests.txt"), encoding: .utf8)
        let line = digests.split(separator: "\n").first { $0.hasPrefix("rv32im.air ") }
        let pinned = try XCTUnwrap(line?.split(separator: " ").last).description
        XCTAssertEqual(StarkProtocol.circuitDigest(of: CPUCircuit.loadedAIR).description, pinned)
    }

    /// The printer's draft of the Swift circuit loads back to it: the round trip the hand-tidied file started from.
    func testPrintedSwiftCircuitLoadsBack() throws {
        let source = CPUCircuit.swiftReference.circuitSource
        XCTAssertTrue(source.contains("shared bus range\n"))
        let air = try AIR(circuitSource: source, fileName: "printed.air")
        XCTAssertEqual(air.canonicalDescription, CPUCircuit.swiftReference.canonicalDescription)
        XCTAssertEqual(air.mainColumns, CPUCircuit.swiftReference.mainColumns)
        XCTAssertEqual(air.publicInputs, CPUCircuit.swiftReference.publicInputs)
    }
}
