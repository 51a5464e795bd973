// Indexes the input with its own first byte: out of range, a Swift runtime error, when that byte is too large.
let input = ZKVM.readInput()
ZKVM.commit(input)
ZKVM.commit([input[Int(input[0])]])
