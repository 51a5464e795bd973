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
    /// buses have none), under the bus's challenges α, β.
    ///
    /// Fails when an entry has the wrong number of values for its bus, or a denominator is zero (probability about
    /// entries/p over the challenges).
    public func busPublicSums(_ entries: [[PublicBusEntry]], challenges: [Fp]) throws(AIRError) -> [Fp] {
        guard entries.count <= buses.count else {
            throw .invalid("public entries for \(entries.count) buses; '\(name)' has \(buses.count)")
        }
        var sums = [Fp](repeating: .zero, count: buses.count)
        for (b, list) in entries.enumerated() where !list.isEmpty {
            let alpha = challenges[2 * b]
            let beta = challenges[2 * b + 1]
            let width = buses[b].entries.map(\.values.count).max() ?? 0
            var denominators: [Fp] = []
            denominators.reserveCapacity(list.count)
            for entry in list {
                guard entry.values.count == width else {
                    throw .invalid(
                        "a public entry of bus '\(buses[b].name)' has \(entry.values.count) values; the bus takes \(width)"
                    )
                }
                var fingerprint = entry.values.last ?? .zero
                for v in entry.values.dropLast().reversed() { fingerprint = v + beta * fingerprint }
                denominators.append(alpha - fingerprint)
            }
            if let zero = denominators.firstIndex(where: \.isZero) {
                throw .invalid(
                    "public entry \(zero) of bus '\(buses[b].name)' has a zero denominator; draw new challenges")
            }
            let inverses = Fp.batchInverse(denominators)
            for (i, entry) in list.enumerated() { sums[b] += entry.multiplicity * inverses[i] }
        }
        return sums
    }
}
