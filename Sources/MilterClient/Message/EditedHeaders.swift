import MailMessage

/// The header fields of a message under edit, kept in blocks of about √n fields.
///
/// A milter may send 10,000 header edits and a message may have a million header fields: scanning every
/// field for each edit is quadratic. Each block counts the fields of each name it holds, and a total per
/// name is kept, so finding the k-th field of a name or the field at a position visits about √n blocks and
/// one block, and an edit for a name the message does not have costs one lookup. Blocks are split when
/// they grow to twice their size, so there are never more than (fields + inserts) / size + 1 of them.
struct EditedHeaders {
    /// A field, and the key its name is counted under (nil: hidden from the milter, never counted).
    struct Entry {
        var field: RawHeaderField
        var key: [UInt8]?
    }

    private struct Block {
        var entries: [Entry]
        var counts: [[UInt8]: Int] = [:]

        init(_ entries: ArraySlice<Entry>) {
            self.entries = Array(entries)
            for entry in entries { if let key = entry.key { counts[key, default: 0] += 1 } }
        }
    }

    private var blocks: [Block]
    private var totals: [[UInt8]: Int] = [:]
    private let blockSize: Int
    /// How many fields there are.
    private(set) var count: Int
    /// Blocks and fields visited so far, for tests that check the work done does not grow quadratically.
    private(set) var visits = 0

    init(_ entries: [Entry]) {
        count = entries.count
        let size = max(64, Int(Double(entries.count).squareRoot()))
        blockSize = size
        blocks = stride(from: 0, to: max(1, entries.count), by: size).map { start in
            Block(entries[start..<min(start + size, entries.count)])
        }
        for entry in entries { if let key = entry.key { totals[key, default: 0] += 1 } }
    }

    /// The key a field name is counted under: ASCII-lowercased, without the whitespace obsolete syntax
    /// allows before the colon (as ``RawHeaderField/hasName(_:)`` compares).
    static func key(ofFieldName nameBytes: [UInt8]) -> [UInt8] {
        var end = nameBytes.endIndex
        while end > 0, nameBytes[end - 1] == 0x20 || nameBytes[end - 1] == 0x09 { end -= 1 }
        return nameBytes[..<end].map(lowered)
    }

    /// The key a name asked for is looked up under: ASCII-lowercased, as it is.
    static func key(ofWantedName name: String) -> [UInt8] { name.utf8.map(lowered) }

    private static func lowered(_ byte: UInt8) -> UInt8 { (0x41...0x5A).contains(byte) ? byte | 0x20 : byte }

    /// Every field, in order.
    var fields: [RawHeaderField] { blocks.flatMap { $0.entries.map(\.field) } }

    /// Adds a field at the end.
    mutating func append(_ entry: Entry) {
        insert(entry, intoBlock: blocks.count - 1, at: blocks[blocks.count - 1].entries.count)
    }

    /// Inserts a field before the one at `position` (0 is the top), or at the end when `position` is past it.
    mutating func insert(_ entry: Entry, at position: Int) {
        var remaining = min(max(0, position), count)
        for index in blocks.indices {
            visits += 1
            let size = blocks[index].entries.count
            if remaining <= size {
                insert(entry, intoBlock: index, at: remaining)
                return
            }
            remaining -= size
        }
    }

    /// Where the `occurrence`-th field (from 1) counted under `key` is, or nil when there are fewer.
    mutating func locate(key: [UInt8], occurrence: Int) -> (block: Int, offset: Int)? {
        visits += 1
        guard occurrence >= 1, totals[key, default: 0] >= occurrence else { return nil }
        var remaining = occurrence
        for index in blocks.indices {
            visits += 1
            let here = blocks[index].counts[key, default: 0]
            if remaining > here {
                remaining -= here
                continue
            }
            for offset in blocks[index].entries.indices {
                visits += 1
                guard blocks[index].entries[offset].key == key else { continue }
                remaining -= 1
                if remaining == 0 { return (index, offset) }
            }
        }
        return nil
    }

    /// Replaces the field at a place found by ``locate(key:occurrence:)``.
    mutating func replace(at place: (block: Int, offset: Int), with entry: Entry) {
        uncount(blocks[place.block].entries[place.offset].key, inBlock: place.block)
        blocks[place.block].entries[place.offset] = entry
        tally(entry.key, inBlock: place.block)
    }

    /// Removes the field at a place found by ``locate(key:occurrence:)``.
    mutating func remove(at place: (block: Int, offset: Int)) {
        let removed = blocks[place.block].entries.remove(at: place.offset)
        uncount(removed.key, inBlock: place.block)
        count -= 1
        if blocks[place.block].entries.isEmpty, blocks.count > 1 { blocks.remove(at: place.block) }
    }

    private mutating func insert(_ entry: Entry, intoBlock index: Int, at offset: Int) {
        blocks[index].entries.insert(entry, at: offset)
        tally(entry.key, inBlock: index)
        count += 1
        guard blocks[index].entries.count >= 2 * blockSize else { return }
        let entries = blocks[index].entries
        blocks[index] = Block(entries[..<blockSize])
        blocks.insert(Block(entries[blockSize...]), at: index + 1)
    }

    private mutating func tally(_ key: [UInt8]?, inBlock index: Int) {
        guard let key else { return }
        blocks[index].counts[key, default: 0] += 1
        totals[key, default: 0] += 1
    }

    private mutating func uncount(_ key: [UInt8]?, inBlock index: Int) {
        guard let key else { return }
        blocks[index].counts[key, default: 0] -= 1
        totals[key, default: 0] -= 1
    }
}
