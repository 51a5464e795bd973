import Field

/// An entry of a LogUp bus that the verifier supplies itself from the statement, instead of the trace: a program
/// word, an initial memory word, a byte of public output. It adds multiplicity / (α − fingerprint(values)) to the
/// bus, exactly like a trace entry on one row.
public struct PublicBusEntry: Hashable, Sendable {
    public var multiplicity: Fp
    public var values: [Fp]

    public init(multiplicity: Fp, values: [Fp]) {
        self.multiplicity = multiplicity
        self.values = values
    }
}

extension AIR {
    /// Σ multiplicity / (α − fingerprint(values)) over each bus's public entries (`entries[b]` for bus b; missing
    /// buses have none), under the bus's challenges α, β; for a global bus, minus the proof's share of it
    /// (`globalShares`, in ``globalBuses`` order) instead, so that its fractions must add up to that share.
    ///
    /// Fails when an entry has the wrong number of values for its bus, a global bus has public entries or no
    /// share, or a denominator is zero (probability about entries/p over the challenges).
    ///
    /// `sharedShares` gives, for each bus this table shares with other tables of a batch, the table's stated share:
    /// like a global bus's, its public sum is minus that share.
    public func busPublicSums(
        _ entries: [[PublicBusEntry]], challenges: [Fp], globalShares: [Fp] = [], sharedShares: [Int: Fp] = [:]
    ) throws(AIRError) -> [Fp] {
        guard entries.count <= buses.count else {
            throw .invalid("public entries for \(entries.count) buses; '\(name)' has \(buses.count)")
        }
        let global = globalBuses
        guard globalShares.count == global.count else {
            throw .invalid("\(globalShares.count) global shares given; '\(name)' has \(global.count) global buses")
        }
        for b in global where b < entries.count && !entries[b].isEmpty {
            throw .invalid("global bus '\(buses[b].name)' takes no public entries of one proof; they belong to the join")
        }
        var sums = [Fp](repeating: .zero, count: buses.count)
        for (b, list) in entries.enumerated() where !list.isEmpty {
            sums[b] = try publicEntrySum(list, bus: b, alpha: challenges[2 * b], beta: challenges[2 * b + 1])
        }
        for (j, b) in global.enumerated() { sums[b] = -globalShares[j] }
        for (b, share) in sharedShares {
            guard buses.indices.contains(b), buses[b].isShared else {
                throw .invalid("a share is stated for bus \(b), which is not a shared bus of '\(name)'")
            }
            guard b >= entries.count || entries[b].isEmpty else {
                throw .invalid("bus '\(buses[b].name)' is shared between tables and takes no public entries")
            }
            sums[b] = -share
        }
        return sums
    }
}

extension AIR {
    /// Each global bus's imbalance over proofs joined by it (``globalBuses`` order): the shares the proofs state
    /// (`shares[i]` is proof i's, in ``globalBuses`` order) plus the joiner's own entries (`entries[j]` for global
    /// bus j) under the joint challenges (α, β of each global bus in turn). Zero, for every global bus, exactly
    /// when the proofs and the joiner's entries balance each bus together (up to a negligible chance).
    public func globalImbalances(
        shares: [[Fp]], entries: [[PublicBusEntry]], challenges: [Fp]
    ) throws(AIRError) -> [Fp] {
        let global = globalBuses
        guard challenges.count == 2 * global.count, entries.count <= global.count else {
            throw .invalid("\(global.count) global buses; \(challenges.count) challenges and \(entries.count) entry lists given")
        }
        var totals = [Fp](repeating: .zero, count: global.count)
        for (j, b) in global.enumerated() where j < entries.count && !entries[j].isEmpty {
            totals[j] = try publicEntrySum(entries[j], bus: b, alpha: challenges[2 * j], beta: challenges[2 * j + 1])
        }
        for proof in shares {
            guard proof.count == global.count else {
                throw .invalid("a proof states \(proof.count) global shares; '\(name)' has \(global.count) global buses")
            }
            for j in global.indices { totals[j] += proof[j] }
        }
        return totals
    }

    /// Σ multiplicity / (α − fingerprint(values)) over `entries` of bus `b`.
    func publicEntrySum(_ entries: [PublicBusEntry], bus b: Int, alpha: Fp, beta: Fp) throws(AIRError) -> Fp {
        let width = buses[b].entries.map(\.values.count).max() ?? 0
        var denominators: [Fp] = []
        denominators.reserveCapacity(entries.count)
        for entry in entries {
            guard entry.values.count == width else {
                throw .invalid(
                    "a public entry of bus '\(buses[b].name)' has \(entry.values.count) values; the bus takes \(width)")
            }
            var fingerprint = entry.values.last ?? .zero
            for v in entry.values.dropLast().reversed() { fingerprint = v + beta * fingerprint }
            denominators.append(alpha - fingerprint)
        }
        if let zero = denominators.firstIndex(where: \.isZero) {
            throw .invalid("public entry \(zero) of bus '\(buses[b].name)' has a zero denominator; draw new challenges")
        }
        let inverses = Fp.batchInverse(denominators)
        var sum = Fp.zero
        for (i, entry) in entries.enumerated() { sum += entry.multiplicity * inverses[i] }
        return sum
    }
}
