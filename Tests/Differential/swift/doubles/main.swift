// Double arithmetic on the guest (Guest/Swift/softfloat.c as RV32IM code). Input: pairs of binary64 bit patterns
// (u64 LE each). Journal, per pair: the bit patterns of a + b, a - b, a * b and a / b (u64 LE each), then one
// byte with bit 0 a < b, bit 1 a <= b, bit 2 a == b, bit 3 a > b, bit 4 a >= b.
let input = ZKVM.readInput()
var journal: [UInt8] = []
func word(at offset: Int) -> UInt64 {
    (0..<8).reduce(0) { $0 | UInt64(input[offset + $1]) << (8 * UInt64($1)) }
}
func append(_ value: Double) {
    let bits = value.bitPattern
    for i in 0..<8 { journal.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt64(i)))) }
}
var offset = 0
while offset + 16 <= input.count {
    let a = Double(bitPattern: word(at: offset))
    let b = Double(bitPattern: word(at: offset + 8))
    append(a + b)
    append(a - b)
    append(a * b)
    append(a / b)
    var flags: UInt8 = 0
    if a < b { flags |= 1 }
    if a <= b { flags |= 2 }
    if a == b { flags |= 4 }
    if a > b { flags |= 8 }
    if a >= b { flags |= 16 }
    journal.append(flags)
    offset += 16
}
ZKVM.commit(journal)
