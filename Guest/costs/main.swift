// Cycle costs of common Swift operations in a guest. Input: the operation's number (u8) and a count n (u32 LE);
// the guest does the operation n times and commits a checksum of what it computed, so that nothing is optimised
// away. Guest/costs/measure.py runs it with n = 0 and with a larger n: the difference over n is the cost of one.

@main
struct Costs: ZKVMGuest {
    static func main() -> Int32 {
        var header = [UInt8](repeating: 0, count: 5)
        guard header.withUnsafeMutableBytes({ ZKVM.read(into: $0) }) == 5 else { return 1 }
        let n = Int(header[1]) | Int(header[2]) << 8 | Int(header[3]) << 16 | Int(header[4]) << 24
        var check: UInt32 = 0
        switch header[0] {
        case 0:  // UInt32 arithmetic: a multiply, an add and a xor
            var x: UInt32 = 1
            for i in 0..<n { x = x &* 2_654_435_761 &+ UInt32(truncatingIfNeeded: i) ^ 0x5bd1_e995 }
            check = x
        case 1:  // [UInt8].append, amortised over growing the array
            var array: [UInt8] = []
            for i in 0..<n { array.append(UInt8(truncatingIfNeeded: i)) }
            check = UInt32(array.count) &+ UInt32(array.last ?? 0)
        case 2:  // [UInt32] subscript read
            let array = [UInt32](repeating: 3, count: max(n, 1))
            for i in 0..<n { check &+= array[i] }
        case 3:  // Dictionary<UInt32, UInt32> insert, amortised over growing the table
            var table: [UInt32: UInt32] = [:]
            for i in 0..<n { table[UInt32(truncatingIfNeeded: i) &* 2_654_435_761] = UInt32(truncatingIfNeeded: i) }
            check = UInt32(table.count)
        case 4:  // Dictionary<UInt32, UInt32> lookup, in a table of 256
            var table: [UInt32: UInt32] = [:]
            for i in 0..<256 { table[UInt32(i)] = UInt32(i) }
            for i in 0..<n { check &+= table[UInt32(truncatingIfNeeded: i) & 255] ?? 0 }
        case 5:  // Set<UInt32> insert
            var set = Set<UInt32>()
            for i in 0..<n { set.insert(UInt32(truncatingIfNeeded: i) &* 2_654_435_761) }
            check = UInt32(set.count)
        case 6:  // SHA-256 of 64 bytes
            var digest = [UInt8](repeating: 7, count: 64)
            for _ in 0..<n { digest = sha256(digest) + digest[0..<32] }
            check = UInt32(digest[0])
        case 7:  // String interpolation of an Int
            for i in 0..<n {
                let text = "item \(i)"
                check &+= UInt32(text.utf8.count)
            }
        case 8:  // allocating and freeing a class instance
            var box = Box(0, next: nil)
            for i in 0..<n {
                // Each box refers to the one before, which is freed then: the instance escapes the iteration.
                box = Box(UInt32(truncatingIfNeeded: i), next: box)
                box.next = nil
            }
            check = box.value
        case 9:  // ZKVM.commit of 32 bytes
            let bytes = [UInt8](repeating: 1, count: 32)
            for _ in 0..<n { ZKVM.commit(bytes) }
        case 10:  // sorting n random UInt32 (the cost per element)
            var x: UInt32 = 1
            var array = (0..<n).map { _ in
                x = x &* 1_664_525 &+ 1_013_904_223
                return x
            }
            array.sort()
            check = array.first ?? 0
        case 11:  // UInt64 division
            var x: UInt64 = 0xffff_ffff_ffff
            for i in 0..<n { x = x / UInt64(i % 250 + 3) &+ 0x1234_5678_9abc }
            check = UInt32(truncatingIfNeeded: x)
        case 12:  // Double multiply and add
            var x = 1.0
            for i in 0..<n { x = x * 1.000_001 + Double(i & 7) }
            check = UInt32(x)
        case 13:  // ZKVM.readInput, per byte of input (n bytes follow the header)
            check = UInt32(ZKVM.readInput().count)
        default:
            return 2
        }
        ZKVM.commit([UInt8(truncatingIfNeeded: check)])
        return 0
    }
}

final class Box {
    let value: UInt32
    var next: Box?
    init(_ value: UInt32, next: Box?) { (self.value, self.next) = (value, next) }
}
