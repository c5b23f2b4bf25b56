/// The open connections ordered by their last packet, so that the least recently active one is
/// found in O(log n) instead of a pass over the whole table at each new connection past the limit.
///
/// A binary min-heap of (last packet when pushed, connection). A connection's packet number moves
/// on without the heap knowing (the scanner advances it directly), so an entry may be stale: when
/// it surfaces with an older number than the connection's, it goes back in with the current one.
/// Every such re-push follows a packet of that connection, so the work stays linear in packets
/// and connections. Entries of closed connections are dropped when they surface, and all at
/// once when they make up half of the heap.
struct RecencyQueue {
    private struct Entry {
        let stamp: Int
        let key: FlowKey
        let connection: TCPConnection
    }

    private var heap: [Entry] = []
    /// Entries pushed, popped or compacted so far: the table's work, which tests compare.
    private(set) var work = 0

    /// Adds a connection just opened; `openCount` is how many are open now.
    mutating func add(_ key: FlowKey, _ connection: TCPConnection, openCount: Int) {
        push(Entry(stamp: connection.lastPacket, key: key, connection: connection))
        if heap.count > 2 * openCount + 64 { compact() }
    }

    /// The least recently active open connection, taken out of the queue.
    mutating func takeLeastRecent() -> (FlowKey, TCPConnection)? {
        while let top = popMin() {
            guard top.connection.isOpen else { continue }
            guard top.connection.lastPacket == top.stamp else {
                push(Entry(stamp: top.connection.lastPacket, key: top.key, connection: top.connection))
                continue
            }
            return (top.key, top.connection)
        }
        return nil
    }

    private mutating func compact() {
        heap.removeAll { !$0.connection.isOpen }
        work += heap.count
        for index in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
    }

    private mutating func push(_ entry: Entry) {
        work += 1
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].stamp < heap[parent].stamp else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func popMin() -> Entry? {
        guard !heap.isEmpty else { return nil }
        work += 1
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        siftDown(0)
        return top
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            let right = left + 1
            let child = right < heap.count && heap[right].stamp < heap[left].stamp ? right : left
            guard heap[child].stamp < heap[parent].stamp else { return }
            heap.swapAt(child, parent)
            parent = child
        }
    }
}
