import XCTest
import ZKVM

/// Receipts that leave the program image out: they verify only for a verifier holding the program, exactly as the
/// receipt with the image does, and each acceptance has rejected twins.
final class ImagelessReceiptTests: XCTestCase {
    /// hello's shared receipt without its image.
    private func bareHello() throws -> Receipt {
        var receipt = try Fixtures.hello.get()
        receipt.program = nil
        return receipt
    }

    func testProveWithoutImage() throws {
        let program = try Examples.program("fibonacci")
        var options = ProveOptions(profile: .test)
        options.includeImage = false
        let receipt = try prove(program: program, input: [20, 0, 0, 0], options: options)
        XCTAssertFalse(receipt.includesImage)
        XCTAssertEqual(receipt.programID, program.id)
        let statement = try verify(receipt, expecting: program, policy: acceptTestProofs)
        XCTAssertEqual(String(decoding: statement.journal, as: UTF8.self), "fib(20) mod 2^64 = 0x0000000000001a6d\n")
        XCTAssertEqual(statement.programID, program.id)
    }

    func testVerifiesWithTheProgramAsTheFullReceiptDoes() throws {
        let program = try Examples.program("hello")
        let full = try verify(try Fixtures.hello.get(), expecting: program, policy: acceptTestProofs)
        let bare = try bareHello()
        XCTAssertEqual(try verify(bare, expecting: program, policy: acceptTestProofs), full)
        XCTAssertEqual(
            try verify(try Receipt(decoding: bare.encoded()), expecting: program, policy: acceptTestProofs), full)
    }

    func testTheIDAloneIsNotEnough() throws {
        let bare = try bareHello()
        XCTAssertThrowsError(try verify(bare, expecting: bare.programID, policy: acceptTestProofs)) {
            XCTAssertEqual($0 as? ZKVMError, .programImageMissing(bare.programID))
            XCTAssertEqual(
                ($0 as? ZKVMError)?.description,
                "the receipt leaves out the image of program \(bare.programID); verifying it needs the program "
                    + "itself, not only its id")
        }
    }

    func testAnotherProgramIsRejected() throws {
        let bare = try bareHello()
        let fibonacci = try Examples.program("fibonacci")
        // By id the mismatch is found before the missing image; by program, before any proof checking.
        XCTAssertThrowsError(try verify(bare, expecting: fibonacci.id, policy: acceptTestProofs)) {
            XCTAssertEqual($0 as? ZKVMError, .programMismatch(expected: fibonacci.id, found: bare.programID))
        }
        XCTAssertThrowsError(try verify(bare, expecting: fibonacci, policy: acceptTestProofs)) {
            XCTAssertEqual($0 as? ZKVMError, .programMismatch(expected: fibonacci.id, found: bare.programID))
        }
    }

    func testHelloProofNamedAsFibonacciIsRejected() throws {
        // A receipt naming fibonacci by id around hello's proof: the id matches what the verifier expects, so only
        // the STARK verifier, given fibonacci's image, can notice.
        let hello = try Fixtures.hello.get()
        let fibonacci = try Examples.program("fibonacci")
        let forged = Receipt(
            programID: fibonacci.id, journal: hello.journal, exitCode: hello.exitCode,
            segmentProofs: hello.segmentProofs)
        XCTAssertThrowsError(try verify(forged, expecting: fibonacci, policy: acceptTestProofs)) {
            guard case .verificationFailed = $0 as? ZKVMError else { return XCTFail("\($0)") }
        }
    }

    func testChangedStatementIsRejected() throws {
        let program = try Examples.program("hello")
        var bare = try bareHello()
        bare.journal = Array("hello, WORLD!\n".utf8)
        XCTAssertThrowsError(try verify(bare, expecting: program, policy: acceptTestProofs)) {
            guard case .verificationFailed = $0 as? ZKVMError else { return XCTFail("\($0)") }
        }
        bare = try bareHello()
        bare.exitCode = 3
        XCTAssertThrowsError(try verify(bare, expecting: program, policy: acceptTestProofs)) {
            guard case .verificationFailed(.statementMismatch) = $0 as? ZKVMError else { return XCTFail("\($0)") }
        }
    }

    func testDefaultPolicyStillApplies() throws {
        XCTAssertThrowsError(try verify(try bareHello(), expecting: try Examples.program("hello"))) {
            guard case .verificationFailed(.parametersRefused) = $0 as? ZKVMError else { return XCTFail("\($0)") }
        }
    }
}
