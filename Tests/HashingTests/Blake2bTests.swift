import Field
import Hashing
import Testing

@Suite struct Blake2bTests {
    @Test func knownAnswers() throws {
        let file = try VectorFile("hash/blake2b.txt")
        #expect(file.declaredCount == "\(file.records.count) vectors")
        #expect(file.records.count >= 10)
        for record in file.records {
            let input = try bytes(hex: record[1])
            #expect(input.count == Int(record[0]))
            #expect(Blake2b.hash(input).description == record[2])
            #expect(hex(Blake2b.wideHash(input)) == record[3])
            #expect(hex(Blake2b.hash(input, outputByteCount: 64)) == record[3])
        }
    }

    @Test func incrementalMatchesOneShotAtEverySplit() throws {
        let input = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        for split in [0, 1, 63, 64, 65, 127, 128, 129, 255, 256, 299, 300] {
            var h = Blake2b.Hasher()
            h.update(input[..<split])
            h.update(input[split...])
            #expect(h.finalizeDigest() == Blake2b.hash(input))
            var wide = Blake2b.Hasher(outputByteCount: 64)
            wide.update(input[..<split])
            wide.update(input[split...])
            #expect(wide.finalize() == Blake2b.wideHash(input))
        }
    }

    @Test func rawPointerFormMatches() {
        let input: [UInt8] = Array("merkle".utf8)
        var out = [UInt8](repeating: 0, count: 32)
        input.withUnsafeBytes { i in
            out.withUnsafeMutableBytes { Blake2b.hash(i.baseAddress, count: i.count, into: $0.baseAddress!) }
        }
        #expect(out == Blake2b.hash(input).bytes)
        #expect(input.withUnsafeBytes { Blake2b.hash($0) } == Blake2b.hash(input))
    }

    @Test func digestEncodings() throws {
        let d = Blake2b.hash(Array("abc".utf8))
        #expect(try Digest(hex: d.description) == d)
        #expect(try Digest(bytes: d.bytes) == d)
        #expect(d.bytes.count == 32)
        #expect(Set([d, Digest.zero, d]).count == 2)
        #expect(throws: HashingError.wrongLength(expected: 32, found: 31)) {
            try Digest(bytes: [UInt8](repeating: 0, count: 31))
        }
        #expect(throws: HashingError.invalidHex("zz")) { try Digest(hex: "zz") }
        #expect(throws: HashingError.invalidHex("abc")) { try Digest(hex: "abc") }
        #expect(throws: HashingError.wrongLength(expected: 16, found: 1)) { try Salt(hex: "AB") }
    }

    @Test func hashingFromManyThreadsAgrees() async {
        // sodium_init() runs once however many threads arrive first.
        let expected = Blake2b.hash([1, 2, 3])
        await withTaskGroup(of: Digest.self) { group in
            for _ in 0..<16 { group.addTask { Blake2b.hash([1, 2, 3]) } }
            for await d in group { #expect(d == expected) }
        }
    }
}

@Suite struct RandomTests {
    @Test func secureRandomLooksRandom() {
        var rng = SecureRandom()
        let values = (0..<64).map { _ in rng.next() as UInt64 }
        #expect(Set(values).count == 64)
        let ones = values.map(\.nonzeroBitCount).reduce(0, +)
        #expect(ones > 64 * 32 - 400 && ones < 64 * 32 + 400)
        #expect(SecureRandom.bytes(count: 32) != SecureRandom.bytes(count: 32))
        #expect(Salt.random() != Salt.random())
        let x = Fp.random(using: &rng)
        #expect(x != Fp.random(using: &rng))
    }

    @Test func streamMatchesLibsodiumDeterministicOutput() throws {
        let stream = try RandomStream(seed: (0..<32).map { UInt8($0) })
        #expect(stream.bytes(count: 1000) == stream._libsodiumDeterministicBytes(count: 1000))
    }

    @Test func streamWindowsAgreeWithTheWhole() throws {
        let stream = try RandomStream(seed: [UInt8](repeating: 7, count: 32))
        let whole = stream.bytes(count: 700)
        for (offset, count) in [(0, 0), (0, 1), (1, 63), (5, 200), (63, 2), (64, 64), (100, 600), (699, 1)] {
            #expect(stream.bytes(count: count, at: offset) == Array(whole[offset..<offset + count]))
        }
        #expect(try RandomStream(seed: [UInt8](repeating: 8, count: 32)).bytes(count: 32) != Array(whole[..<32]))
        #expect(RandomStream().bytes(count: 32) != RandomStream().bytes(count: 32))
        #expect(throws: HashingError.wrongLength(expected: 32, found: 16)) {
            try RandomStream(seed: [UInt8](repeating: 0, count: 16))
        }
    }
}
