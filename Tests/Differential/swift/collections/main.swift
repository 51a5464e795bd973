// Dictionary, Set, String and Double in a guest: counts the input's bytes, its distinct bytes and its words.
// Journal: for each distinct byte in ascending order, the byte and its count (u32 LE) | the number of distinct
// bytes (u32 LE) | the distinct words, sorted and joined by "," | the mean byte value, times 1000, truncated (u32
// LE) | the input's length divided by 7 as a Double, rounded up (u32 LE).
let input = ZKVM.readInput()
var counts: [UInt8: UInt32] = [:]
var distinct = Set<UInt8>()
for byte in input {
    counts[byte, default: 0] += 1
    distinct.insert(byte)
}
var journal: [UInt8] = []
func append(_ value: UInt32) {
    for shift in [0, 8, 16, 24] as [UInt32] { journal.append(UInt8(truncatingIfNeeded: value >> shift)) }
}
for byte in counts.keys.sorted() {
    journal.append(byte)
    append(counts[byte]!)
}
append(UInt32(distinct.count))
let text = String(decoding: input, as: UTF8.self)
let words = Set(text.split(separator: " ").map(String.init))
journal.append(contentsOf: words.sorted().joined(separator: ",").utf8)
let mean = input.isEmpty ? 0 : Double(input.reduce(0) { $0 + Int($1) }) / Double(input.count)
append(UInt32(mean * 1000))
append(UInt32((Double(input.count) / 7).rounded(.up)))
ZKVM.commit(journal)
