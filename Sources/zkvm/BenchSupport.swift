import Field
import Foundation

/// Keeps a benchmark's result alive so the optimiser cannot delete the work that produced it.
@_optimize(none) func blackHole<T>(_ value: T) { _ = value }

/// The median of `runs` samples of `body`.
func median(_ runs: Int, _ body: () -> Double) -> Double {
    let samples = (0..<max(1, runs)).map { _ in body() }.sorted()
    return samples[samples.count / 2]
}

/// Monotonic elapsed time since creation.
struct Stopwatch {
    private let start = DispatchTime.now().uptimeNanoseconds
    var ns: Double { Double(DispatchTime.now().uptimeNanoseconds - start) }
    var ms: Double { ns / 1e6 }
    var seconds: Double { ns / 1e9 }
}

/// Figures collected by a benchmark, printed as an aligned table or one JSON object, with the machine's load so
/// that readers can judge the noise.
struct BenchReport {
    let title: String
    private var rows: [(key: String, label: String, unit: String, value: Double)] = []
    private let loadBefore = BenchReport.loadAverage()

    init(title: String) { self.title = title }

    mutating func add(_ key: String, _ label: String, unit: String, _ value: Double) {
        rows.append((key, label, unit, value))
    }

    func emit(json: Bool) {
        let loadAfter = BenchReport.loadAverage()
        if json {
            var object: [String: Any] = [
                "cores": Parallel.coreCount, "load_before": loadBefore, "load_after": loadAfter,
            ]
            for row in rows { object[row.key] = (row.value * 1000).rounded() / 1000 }
            let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print("\(title) — \(Parallel.coreCount) cores, load average \(loadBefore) before, \(loadAfter) after")
        let width = rows.map(\.label.count).max() ?? 0
        for row in rows {
            let label = row.label.padding(toLength: width, withPad: " ", startingAt: 0)
            print("  \(label)  \(String(format: "%10.3f", row.value)) \(row.unit)   [\(row.key)]")
        }
    }

    private static func loadAverage() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8),
            let first = text.split(separator: " ").first, let value = Double(first)
        else { return -1 }
        return value
    }
}
