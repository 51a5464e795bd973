/// `value` with its lowest `width` bits in reverse order (the bit-reversal permutation of a 2^width array).
@inlinable @inline(__always)
public func reverseBits(_ value: Int, width: Int) -> Int {
    guard width > 0 else { return 0 }
    var x = UInt64(truncatingIfNeeded: value)
    x = (x & 0x5555_5555_5555_5555) << 1 | (x >> 1) & 0x5555_5555_5555_5555
    x = (x & 0x3333_3333_3333_3333) << 2 | (x >> 2) & 0x3333_3333_3333_3333
    x = (x & 0x0F0F_0F0F_0F0F_0F0F) << 4 | (x >> 4) & 0x0F0F_0F0F_0F0F_0F0F
    return Int(truncatingIfNeeded: x.byteSwapped >> UInt64(64 - width))
}

/// Calls `body` with buffer pointers to every array, valid for the duration of the call.
public func withUnsafeBuffers<R>(_ arrays: [[Fp]], _ body: ([UnsafeBufferPointer<Fp>]) -> R) -> R {
    func go(_ i: Int, _ acc: [UnsafeBufferPointer<Fp>]) -> R {
        if i == arrays.count { return body(acc) }
        return arrays[i].withUnsafeBufferPointer { go(i + 1, acc + [$0]) }
    }
    return go(0, [])
}
