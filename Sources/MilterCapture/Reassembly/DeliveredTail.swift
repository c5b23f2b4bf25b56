/// A copy of the latest bytes a direction delivered, at most ``capacity`` of them, so that a segment that repeats
/// part of them (a retransmission that overlaps delivered bytes without repeating a whole earlier segment) is
/// compared byte for byte. The bytes are copied out of the read buffers, so the count is the memory held; the
/// storage grows with the bytes delivered up to ``capacity``, then is reused as a ring.
struct DeliveredTail {
    /// The most bytes kept; 0 keeps none.
    private(set) var capacity = 0
    private var storage: [UInt8] = []
    /// Where the oldest byte is in ``storage`` once it is full.
    private var head = 0
    /// The stream offset just past the latest byte kept.
    private(set) var end: Int64 = 0

    /// The stream offset of the oldest byte kept.
    var start: Int64 { end - Int64(storage.count) }

    /// Starts keeping up to `capacity` bytes; nothing recorded before counts.
    mutating func allow(_ capacity: Int) {
        self = DeliveredTail()
        self.capacity = max(0, capacity)
    }

    /// Keeps `bytes`, delivered from stream offset `offset`; bytes that do not follow the ones kept (after a gap)
    /// replace them.
    mutating func record(offset: Int64, _ bytes: UnsafeRawBufferPointer) {
        guard capacity > 0, !bytes.isEmpty else { return }
        if offset != end {
            storage.removeAll(keepingCapacity: true)
            head = 0
        }
        end = offset + Int64(bytes.count)
        var rest = UnsafeRawBufferPointer(rebasing: bytes[max(0, bytes.count - capacity)...])
        if storage.count < capacity {
            let taken = min(capacity - storage.count, rest.count)
            if storage.capacity < storage.count + taken {
                storage.reserveCapacity(min(capacity, max(storage.count + taken, 2 * storage.capacity, 4096)))
            }
            storage.append(contentsOf: rest[..<taken])
            rest = UnsafeRawBufferPointer(rebasing: rest[taken...])
        }
        while !rest.isEmpty {
            let taken = min(capacity - head, rest.count)
            storage.withUnsafeMutableBytes { target in
                UnsafeMutableRawBufferPointer(rebasing: target[head..<(head + taken)]).copyMemory(
                    from: UnsafeRawBufferPointer(rebasing: rest[..<taken]))
            }
            head = (head + taken) % capacity
            rest = UnsafeRawBufferPointer(rebasing: rest[taken...])
        }
    }

    /// Compares `bytes`, captured from stream offset `offset`, with the bytes kept where they overlap: nil when
    /// they do not overlap, otherwise the overlap and whether the copies differ there.
    func compare(offset: Int64, _ bytes: UnsafeRawBufferPointer) -> (offset: Int64, length: Int, differs: Bool)? {
        let from = max(offset, start)
        let to = min(offset + Int64(bytes.count), end)
        guard from < to else { return nil }
        let length = Int(to - from)
        var position = Int(from - start)
        var index = Int(from - offset)
        var differs = false
        storage.withUnsafeBytes { kept in
            var remaining = length
            while remaining > 0 && !differs {
                let at = (head + position) % kept.count
                let run = min(remaining, kept.count - at)
                differs = !UnsafeRawBufferPointer(rebasing: kept[at..<(at + run)]).elementsEqual(
                    UnsafeRawBufferPointer(rebasing: bytes[index..<(index + run)]))
                remaining -= run
                position += run
                index += run
            }
        }
        return (from, length, differs)
    }

    /// Calls `body` with the `count` bytes kept from stream offset `offset`, which must all be kept; bytes that
    /// wrap around the end of the ring are copied together first.
    func withBytes<R>(offset: Int64, count: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        precondition(offset >= start && offset + Int64(count) <= end, "bytes not kept")
        return storage.withUnsafeBytes { kept in
            guard count > 0 else { return body(UnsafeRawBufferPointer(start: nil, count: 0)) }
            let at = (head + Int(offset - start)) % kept.count
            if at + count <= kept.count { return body(UnsafeRawBufferPointer(rebasing: kept[at..<(at + count)])) }
            let joined = Array(kept[at...]) + Array(kept[..<(count - (kept.count - at))])
            return joined.withUnsafeBytes(body)
        }
    }
}
