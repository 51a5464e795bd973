// Every ZKVM verb, as top-level code, with a C helper called through its header.
// Input: n (u32 LE), then any bytes. Journal: the bytes reversed | "sum=" checksum | the bytes' first half, each
// written a different way. Log: a line, then a print. Exit: n (0 falls off the end of the file).
var header = [UInt8](repeating: 0, count: 4)
let got = header.withUnsafeMutableBytes { ZKVM.read(into: $0) }
if got != 4 { ZKVM.exit(100) }
let n = header.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
let rest = ZKVM.readInput()
ZKVM.commit(rest.reversed())  // not contiguous: copied, then written
ZKVM.commit("sum=\(helper_checksum(rest, rest.count))".utf8)
ZKVM.commit(rest[0..<rest.count / 2])  // a slice: written in place
ZKVM.log("verbs: \(rest.count) bytes after the header\n")
print("printed to the log")
if n != 0 { ZKVM.exit(Int32(bitPattern: n)) }
