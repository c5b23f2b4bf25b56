import NIOCore

/// The ranges and digests of a direction's latest delivered segments, so that a retransmission of one of them can
/// be compared with the copy already delivered (whose bytes are no longer held): a capture may hold two copies of
/// the same sequence range with different bytes, and which one a receiver took is then unknown.
///
/// Only a retransmission of the exact range of one of the last ``capacity`` segments is compared; a digest per
/// segment keeps this to a few hundred bytes a direction, whatever the segments' sizes.
///
/// While the direction's ``DeliveredTail`` holds a segment's bytes, they are compared there and its digest is
/// not needed: a segment recorded as covered gets its digest only when its first byte is about to leave the
/// tail (``digestCovered(before:from:)``), from the tail's copy. With segments of a usual size the last
/// ``capacity`` of them stay within the tail, and no digest is ever made.
struct RecentSegments {
    private struct Entry {
        var offset: Int64
        var length: Int
        /// nil while the bytes are in the tail (see ``RecentSegments/recordCovered(offset:length:)``).
        var digest: UInt64?
    }

    /// How many segments are remembered.
    static let capacity = 16
    private var entries: [Entry] = []
    private var nextSlot = 0
    /// No entry without a digest starts before this offset.
    private var oldestCovered = Int64.max

    /// Remembers the bytes delivered from stream offset `offset`.
    mutating func record(offset: Int64, _ bytes: UnsafeRawBufferPointer) {
        add(Entry(offset: offset, length: bytes.count, digest: Self.digest(bytes)))
    }

    /// Remembers the bytes delivered from stream offset `offset`.
    mutating func record(offset: Int64, _ bytes: ByteBuffer) {
        bytes.withUnsafeReadableBytes { record(offset: offset, $0) }
    }

    /// Remembers `length` bytes delivered from stream offset `offset` without a digest: the caller keeps them in
    /// a ``DeliveredTail`` and calls ``digestCovered(before:from:)`` before any of them leave it.
    mutating func recordCovered(offset: Int64, length: Int) {
        add(Entry(offset: offset, length: length, digest: nil))
        oldestCovered = min(oldestCovered, offset)
    }

    private mutating func add(_ entry: Entry) {
        if entries.count < Self.capacity {
            if entries.isEmpty { entries.reserveCapacity(Self.capacity) }
            entries.append(entry)
        } else {
            entries[nextSlot] = entry
        }
        nextSlot = (nextSlot + 1) % Self.capacity
    }

    /// Gives its digest, from `tail`, to each entry without one that starts before `offset`: the tail is about
    /// to let go of the bytes before `offset` (``Int64/max``: all of them).
    mutating func digestCovered(before offset: Int64, from tail: DeliveredTail) {
        guard oldestCovered < offset else { return }
        oldestCovered = .max
        for index in entries.indices where entries[index].digest == nil {
            let entry = entries[index]
            if entry.offset < offset {
                entries[index].digest = tail.withBytes(offset: entry.offset, count: entry.length) { Self.digest($0) }
            } else {
                oldestCovered = min(oldestCovered, entry.offset)
            }
        }
    }

    /// Whether `bytes` from stream offset `offset` repeat a remembered segment's range with other bytes; false
    /// when they match it, or no remembered segment has that range. An entry without a digest is compared with
    /// `tail`, which holds its bytes.
    func differs(offset: Int64, _ bytes: ByteBuffer, tail: DeliveredTail) -> Bool {
        guard let entry = entries.first(where: { $0.offset == offset && $0.length == bytes.readableBytes }) else {
            return false
        }
        return bytes.withUnsafeReadableBytes { bytes in
            guard let digest = entry.digest else { return tail.compare(offset: offset, bytes)?.differs ?? false }
            return Self.digest(bytes) != digest
        }
    }

    /// Chosen per process, so that a capture cannot be made to give two different copies the same digest
    /// without knowing it.
    private static let seed = UInt64.random(in: 0...UInt64.max)

    /// A 64-bit digest of `bytes`: four independent lanes of eight bytes, so that the processor works on them at
    /// once (it runs over every byte a dump takes).
    static func digest(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let multiplier: UInt64 = 0xFF51_AFD7_ED55_8CCD
        var lanes = (seed ^ UInt64(bytes.count), seed &+ 0x9E37_79B9_7F4A_7C15, ~seed, seed &* 0xC4CE_B9FE_1A85_EC53)
        guard let base = bytes.baseAddress else { return lanes.0 }
        func mix(_ lane: inout UInt64, _ word: UInt64) {
            lane = (lane ^ word) &* multiplier
            lane ^= lane >> 32
        }
        var index = 0
        while index + 32 <= bytes.count {
            mix(&lanes.0, base.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            mix(&lanes.1, base.loadUnaligned(fromByteOffset: index + 8, as: UInt64.self))
            mix(&lanes.2, base.loadUnaligned(fromByteOffset: index + 16, as: UInt64.self))
            mix(&lanes.3, base.loadUnaligned(fromByteOffset: index + 24, as: UInt64.self))
            index += 32
        }
        while index + 8 <= bytes.count {
            mix(&lanes.0, base.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            index += 8
        }
        var tail: UInt64 = 0
        while index < bytes.count {
            tail = tail << 8 | UInt64(base.load(fromByteOffset: index, as: UInt8.self))
            index += 1
        }
        mix(&lanes.1, tail)
        var hash = lanes.0
        mix(&hash, lanes.1)
        mix(&hash, lanes.2)
        mix(&hash, lanes.3)
        return hash
    }
}
