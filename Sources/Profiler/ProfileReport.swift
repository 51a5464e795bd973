/// The cycles of one function: spent in its own instructions (self) and with it anywhere on the stack (total).
public struct FunctionCost: Equatable, Sendable {
    /// The function's name (its entry address, `0x…`, when the program has no symbol for it).
    public var name: String
    /// Cycles executing the function's own instructions.
    public var selfCycles: UInt64
    /// Cycles with the function anywhere on the stack, counted once however often it appears.
    public var totalCycles: UInt64

    public init(name: String, selfCycles: UInt64, totalCycles: UInt64) {
        (self.name, self.selfCycles, self.totalCycles) = (name, selfCycles, totalCycles)
    }
}

extension Profile {
    /// Every function's cost, most self cycles first (then most total cycles, then by name). Functions are
    /// grouped by name, across source files; an inlined function counts as a function of its own, as in pprof.
    public func functionCosts() -> [FunctionCost] {
        var functionNames: [UInt64: String] = [:]
        for function in functions { functionNames[function.id] = function.name }
        // Each location's function names, innermost first (its address when it has none).
        var locationNames: [UInt64: [String]] = [:]
        for location in locations {
            let names = location.lines.compactMap { functionNames[$0.functionID] }
            locationNames[location.id] = names.isEmpty ? [ProfileBuilder.hexAddress(location.address)] : names
        }
        var costs: [String: FunctionCost] = [:]
        for sample in samples {
            let cycles = UInt64(sample.cycles)
            guard let leaf = sample.locationIDs.first, let leafName = locationNames[leaf]?.first else { continue }
            costs[leafName, default: FunctionCost(name: leafName, selfCycles: 0, totalCycles: 0)].selfCycles += cycles
            var seen = Set<String>()
            for id in sample.locationIDs {
                for name in locationNames[id] ?? [] where seen.insert(name).inserted {
                    costs[name, default: FunctionCost(name: name, selfCycles: 0, totalCycles: 0)].totalCycles += cycles
                }
            }
        }
        return costs.values.sorted {
            ($1.selfCycles, $1.totalCycles, $0.name) < ($0.selfCycles, $0.totalCycles, $1.name)
        }
    }

    /// A table of the `count` functions with the most self cycles, with self and total cycles and their shares of
    /// ``totalCycles``:
    ///
    ///     profile: 12345 cycles in 7 functions; the top 2 by self cycles
    ///          self   self%    total  total%  function
    ///          9000  72.91%     9000  72.91%  g
    ///          2000  16.20%    11000  89.11%  f
    public func topFunctions(_ count: Int) -> String {
        let costs = functionCosts()
        let shown = costs.prefix(max(0, count))
        let width = max(5, String(totalCycles).count)
        func column(_ value: String, _ width: Int) -> String {
            String(repeating: " ", count: max(0, width - value.count)) + value
        }
        func percent(_ part: UInt64) -> String {
            guard totalCycles > 0 else { return "0.00%" }
            let hundredths = UInt64((Double(part) * 10_000 / Double(totalCycles)).rounded())
            let fraction = String(hundredths % 100)
            return "\(hundredths / 100).\(fraction.count == 1 ? "0" : "")\(fraction)%"
        }
        func row(_ cells: String...) -> String {
            zip(cells, [width, 7, width, 7]).map { column($0, $1) }.joined(separator: "  ") + "  " + cells[4]
        }
        let plural = costs.count == 1 ? "function" : "functions"
        var lines = [
            "profile: \(totalCycles) cycles in \(costs.count) \(plural); the top \(shown.count) by self cycles",
            row("self", "self%", "total", "total%", "function"),
        ]
        for cost in shown {
            lines.append(
                row(
                    String(cost.selfCycles), percent(cost.selfCycles), String(cost.totalCycles),
                    percent(cost.totalCycles), cost.name))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
