// Allocates 4 KiB arrays, each kept and written, until the heap runs out.
var kept: [[UInt8]] = []
while true {
    kept.append([UInt8](repeating: UInt8(truncatingIfNeeded: kept.count), count: 4096))
    ZKVM.commit([UInt8(truncatingIfNeeded: kept.count)])
}
