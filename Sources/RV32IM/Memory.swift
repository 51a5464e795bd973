#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The guest's 32-bit address space, stored sparsely as 4 KiB pages that are allocated on first touch.
///
/// A flat table of 2^20 page pointers maps an address to its page in one load; the table is obtained with
/// `calloc`, so the operating system backs only the parts of it that are used. Any access, read or write, touches
/// its page: a page is allocated zero-filled and counts towards the page limit, which bounds host memory whatever
/// the guest does.
///
/// The owner must call ``release()`` exactly once; the struct itself is a handle and may be copied.
struct PagedMemory {
    static let pageBits: UInt32 = 12
    static let pageMask: UInt32 = (1 << pageBits) - 1
    private static let pageCount = 1 << (32 - Int(pageBits))

    private let table: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    private var allocated: [UInt32] = []
    let maxPages: Int

    init(maxPages: Int) {
        let raw = calloc(PagedMemory.pageCount, MemoryLayout<UnsafeMutableRawPointer?>.stride)!
        table = raw.bindMemory(to: UnsafeMutableRawPointer?.self, capacity: PagedMemory.pageCount)
        self.maxPages = maxPages
    }

    func release() {
        for index in allocated { free(table[Int(index)]) }
        free(table)
    }

    /// The page holding `address`, allocated if new; `nil` when allocating it would exceed the page limit.
    @inline(__always)
    mutating func page(_ address: UInt32) -> UnsafeMutableRawPointer? {
        if let page = table[Int(address >> PagedMemory.pageBits)] { return page }
        return allocate(address >> PagedMemory.pageBits)
    }

    @inline(never)
    private mutating func allocate(_ index: UInt32) -> UnsafeMutableRawPointer? {
        guard allocated.count < maxPages, let page = calloc(1, 1 << Int(PagedMemory.pageBits)) else { return nil }
        table[Int(index)] = page
        allocated.append(index)
        return page
    }

    /// How many pages the guest has touched so far.
    var pagesTouched: Int { allocated.count }

    /// Reads a byte without touching the page (untouched memory reads as zero); for inspection, not for the guest.
    func peek(_ address: UInt32) -> UInt8 {
        guard let page = table[Int(address >> PagedMemory.pageBits)] else { return 0 }
        return page.load(fromByteOffset: Int(address & PagedMemory.pageMask), as: UInt8.self)
    }

    /// Copies `bytes` to `address...`, touching pages; `false` if the page limit is reached first. The caller
    /// checks that the range fits in the address space.
    mutating func write(_ bytes: some Collection<UInt8>, at address: UInt32) -> Bool {
        var address = address
        var rest = bytes[...]
        while !rest.isEmpty {
            guard let page = page(address) else { return false }
            let offset = Int(address & PagedMemory.pageMask)
            let n = min(rest.count, (1 << Int(PagedMemory.pageBits)) - offset)
            let chunk = rest.prefix(n)
            var i = offset
            for byte in chunk {
                page.storeBytes(of: byte, toByteOffset: i, as: UInt8.self)
                i += 1
            }
            rest = rest.dropFirst(n)
            address &+= UInt32(n)
        }
        return true
    }

    /// Copies `count` bytes from `address...`, touching pages; `nil` if the page limit is reached first.
    mutating func read(_ address: UInt32, count: Int) -> [UInt8]? {
        var out = [UInt8]()
        out.reserveCapacity(count)
        var address = address
        while out.count < count {
            guard let page = page(address) else { return nil }
            let offset = Int(address & PagedMemory.pageMask)
            let n = min(count - out.count, (1 << Int(PagedMemory.pageBits)) - offset)
            out.append(contentsOf: UnsafeRawBufferPointer(start: page + offset, count: n))
            address &+= UInt32(n)
        }
        return out
    }
}
