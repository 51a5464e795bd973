import Field
import Hashing
import Testing

@Suite struct TranscriptTests {
    static func label(_ token: String) -> String { token == "\"\"" ? "" : token }

    /// `Vectors/transcript/transcript.txt`: every state, challenge, query index and nonce, from Python.
    @Test func knownAnswers() throws {
        let file = try VectorFile("transcript/transcript.txt")
        var t = Transcript(domain: "")
        var checked = 0
        for r in file.records {
            switch r[0] {
            case "domain": t = Transcript(domain: Self.label(r[1]))
            case "state":
                #expect(t.state.description == r[1])
                checked += 1
            case "absorb-integer": t.absorb(r[1], integer: UInt64(r[2])!)
            case "absorb-digest": t.absorb(r[1], digest: try Digest(hex: r[2]))
            case "absorb-bytes": t.absorb(Self.label(r[1]), bytes: try bytes(hex: r[2]))
            case "absorb-elements": t.absorb(r[1], elements: try r[2...].map { try Fp(decimal: $0) })
            case "challenge":
                #expect(t.challenge(r[1]) == (try Fp(decimal: r[2])))
                checked += 1
            case "queries":
                let got = try t.queryIndices(r[1], count: Int(r[2])!, below: Int(r[3])!)
                #expect(got == r[4...].map { Int($0)! })
                checked += 1
            case "pow-invalid":
                #expect(!t.proofOfWorkIsValid(bits: Int(r[1])!, nonce: UInt64(r[2])!))
                checked += 1
            case "grind":
                let bits = Int(r[1])!
                #expect(t.findProofOfWork(bits: bits) == UInt64(r[2])!)
                var verifier = t
                try verifier.verifyProofOfWork(bits: bits, nonce: UInt64(r[2])!)
                #expect(t.grind(bits: bits) == UInt64(r[2])!)
                #expect(verifier.state == t.state)
                checked += 1
            default: Issue.record("unknown operation \(r[0])")
            }
        }
        // Every line but the two domain lines is a check (state lines count once each above).
        #expect(
            file.declaredCount
                == "2 scripts, \(checked + file.records.filter { $0[0].hasPrefix("absorb") }.count) checked lines")
    }

    enum Step {
        case absorb(label: [UInt8], data: [UInt8])
        case challenge(String)
    }

    static func run(_ script: [Step]) -> [Fp] {
        var t = Transcript(domain: "sensitivity")
        var out: [Fp] = []
        for step in script {
            switch step {
            case .absorb(let label, let data): t.absorb(String(decoding: label, as: UTF8.self), bytes: data)
            case .challenge(let label): out.append(t.challenge(label))
            }
        }
        return out
    }

    /// Flipping any bit of any absorbed byte (labels included) changes every challenge drawn after it and none
    /// before.
    @Test func everyAbsorbedByteMovesEveryLaterChallenge() {
        let script: [Step] = [
            .absorb(label: Array("version".utf8), data: [1, 0, 0, 0]),
            .challenge("a"),
            .absorb(label: Array("root".utf8), data: (0..<40).map { UInt8($0) }),
            .challenge("b"),
            .challenge("c"),
            .absorb(label: Array("x".utf8), data: []),
            .challenge("d"),
        ]
        let base = Self.run(script)
        #expect(Set(base).count == base.count)
        for (s, step) in script.enumerated() {
            guard case .absorb(let label, let data) = step else { continue }
            let before = script[..<s].filter { if case .challenge = $0 { true } else { false } }.count
            for inLabel in [true, false] {
                for position in 0..<(inLabel ? label.count : data.count) {
                    var changed = script
                    var l = label
                    var d = data
                    if inLabel { l[position] ^= 0x01 } else { d[position] ^= 0x80 }
                    changed[s] = .absorb(label: l, data: d)
                    let got = Self.run(changed)
                    #expect(Array(got[..<before]) == Array(base[..<before]))
                    for i in before..<base.count { #expect(got[i] != base[i], "step \(s) byte \(position)") }
                }
            }
        }
    }

    @Test func absorptionsCannotBeResplitOrRetyped() {
        func state(_ body: (inout Transcript) -> Void) -> Digest {
            var t = Transcript(domain: "split")
            body(&t)
            return t.state
        }
        let states = [
            state {
                $0.absorb("x", bytes: [1, 2])
                $0.absorb("x", bytes: [3])
            },
            state {
                $0.absorb("x", bytes: [1])
                $0.absorb("x", bytes: [2, 3])
            },
            state { $0.absorb("x", bytes: [1, 2, 3]) },
            state { $0.absorb("x1", bytes: [2, 3]) },
            state { $0.absorb("", bytes: Array("x".utf8) + [1, 2, 3]) },
            state { $0.absorb("x", elements: [Fp(1)]) },
            state { $0.absorb("x", bytes: Fp(1).canonicalBytes) },
            state { $0.absorb("x", digest: try! Digest(bytes: Fp(1).canonicalBytes)) },
            state { _ = $0.challenge("x") },
            state { $0.absorb("x", elements: [Fp]()) },
            state { $0.absorb("x", bytes: []) },
        ]
        #expect(Set(states).count == states.count)
        #expect(Transcript(domain: "a").state != Transcript(domain: "b").state)
        #expect(state { $0.absorb("n", integer: 258) } == state { $0.absorb("n", bytes: [2, 1, 0, 0, 0, 0, 0, 0]) })
        #expect(state { $0.absorb("e", element: 9) } == state { $0.absorb("e", elements: [Fp(9)]) })
    }

    @Test func determinismAndFreshChallenges() {
        var a = Transcript(domain: "d")
        var b = Transcript(domain: "d")
        a.absorb("m", elements: (0..<200).map { Fp(UInt64($0)) })
        b.absorb("m", elements: (0..<200).map { Fp(UInt64($0)) })
        let xs = a.challenges("z", count: 5)
        #expect(xs == b.challenges("z", count: 5))
        #expect(Set(xs).count == 5)
        var c = a
        #expect(a.challenge("next") == c.challenge("next"))
    }

    @Test func queryIndicesInRangeAndUniform() throws {
        var t = Transcript(domain: "uniformity")
        for bound in [1, 2, 3, 5, 1000, (1 << 40) + 3, 3 << 61, Int.max] {
            let q = try t.queryIndices("q", count: 500, below: bound)
            #expect(q.count == 500 && q.allSatisfy { $0 >= 0 && $0 < bound })
        }
        // Coarse chi-square with fixed inputs: far below the 0.1% critical values (67.985 for 36 degrees of
        // freedom, 103.44 for 63).
        for (bound, critical) in [(37, 67.985), (64, 103.44)] {
            let draws = 2000 * bound
            let q = try t.queryIndices("chi", count: draws, below: bound)
            var counts = [Int](repeating: 0, count: bound)
            for i in q { counts[i] += 1 }
            let expected = Double(draws) / Double(bound)
            let chi = counts.map { (Double($0) - expected) * (Double($0) - expected) / expected }.reduce(0, +)
            #expect(chi < critical, "bound \(bound): chi-square \(chi)")
        }
        #expect(try t.queryIndices("none", count: 0, below: 9).isEmpty)
        #expect(throws: TranscriptError.invalidQueryBound(0)) { try t.queryIndices("q", count: 1, below: 0) }
        #expect(throws: TranscriptError.invalidQueryCount(-1)) { try t.queryIndices("q", count: -1, below: 4) }
    }

    @Test func proofOfWork() throws {
        var prover = Transcript(domain: "pow")
        prover.absorb("root", digest: Blake2b.hash([9]))
        var verifier = prover
        let bits = 10
        let nonce = prover.grind(bits: bits)
        #expect((0..<nonce).allSatisfy { !verifier.proofOfWorkIsValid(bits: bits, nonce: $0) })
        #expect(verifier.proofOfWorkIsValid(bits: bits, nonce: nonce))
        var wrong = nonce + 1
        while verifier.proofOfWorkIsValid(bits: bits, nonce: wrong) { wrong += 1 }
        let before = verifier.state
        #expect(throws: TranscriptError.insufficientProofOfWork(bits: bits, nonce: wrong)) {
            try verifier.verifyProofOfWork(bits: bits, nonce: wrong)
        }
        #expect(verifier.state == before)
        #expect(throws: TranscriptError.proofOfWorkBitsOutOfRange(65)) {
            try verifier.verifyProofOfWork(bits: 65, nonce: nonce)
        }
        #expect(!verifier.proofOfWorkIsValid(bits: -1, nonce: nonce))
        try verifier.verifyProofOfWork(bits: bits, nonce: nonce)
        #expect(verifier.state == prover.state && verifier.state != before)
        #expect(verifier.challenge("q") == prover.challenge("q"))
        // A harder target on both cores still returns the smallest nonce.
        let hard = Transcript(domain: "pow-hard")
        let n = hard.findProofOfWork(bits: 18)
        #expect(hard.proofOfWorkIsValid(bits: 18, nonce: n))
        #expect(Transcript(domain: "x").findProofOfWork(bits: 0) == 0)
    }
}
