import NIOConcurrencyHelpers
import NIOCore

/// The server's open connections: counts them against the limit, frees a slot held by a peer that
/// has not negotiated when the limit is reached, and finds them for draining.
///
/// A connection that has not completed OPTNEG is *pending*. When every slot is taken, a new
/// connection takes the slot of the oldest pending one, which is closed: an MTA sends OPTNEG at
/// once, so the connections that did not are the likeliest to be idle or hostile, and they cannot
/// shut real MTAs out until their handshake timeout. Only when no connection is pending is the new
/// one refused.
final class ConnectionRegistry: Sendable {
    private struct Entry {
        let channel: any Channel
        let id: Int
        /// Whether it holds a slot; a refused or evicted connection does not.
        var served: Bool
    }

    private struct State {
        var entries: [ObjectIdentifier: Entry] = [:]
        var served = 0
        var nextID = 0
        /// Served connections that have not negotiated, oldest first; it may also hold connections
        /// that negotiated or closed since (skipped, and dropped from the front as they are found).
        var pending = CircularBuffer<(id: Int, key: ObjectIdentifier)>()
        /// The ids of the pending connections.
        var pendingIDs: Set<Int> = []
    }

    /// What ``register(_:)`` decided for a new connection.
    struct Admission {
        /// The connection's id, for the log.
        var id: Int
        /// Whether it is served; otherwise it gets a tempfail and is closed.
        var served: Bool
        /// The pending connection closed to make room for it, with that connection's id.
        var evicted: (id: Int, channel: any Channel)?
    }

    private let state = NIOLockedValueBox(State())
    private let limit: Int
    /// Told of each registered connection that closed, with how many are left open and the closed one's loop.
    private let closed: @Sendable (_ open: Int, _ eventLoop: any EventLoop) -> Void

    /// - Parameters:
    ///   - limit: the most connections served at once (at least 1).
    ///   - closed: called after each registered connection closes and is unregistered, with the number left
    ///     open and that connection's event loop (the server's allocator trim); one close callback per
    ///     connection does both.
    init(limit: Int, closed: @escaping @Sendable (_ open: Int, _ eventLoop: any EventLoop) -> Void = { _, _ in }) {
        self.limit = max(1, limit)
        self.closed = closed
    }

    /// Registers a new connection as pending; when the limit is reached it takes the slot of the
    /// oldest pending connection, which the caller closes, or is refused when none is pending.
    func register(_ channel: any Channel) -> Admission {
        let key = ObjectIdentifier(channel)
        let admission = state.withLockedValue { state -> Admission in
            state.nextID += 1
            let id = state.nextID
            var admission = Admission(id: id, served: state.served < limit)
            if !admission.served, let oldest = Self.takeOldestPending(&state) {
                state.entries[oldest.key]?.served = false
                state.served -= 1
                admission.served = true
                admission.evicted = state.entries[oldest.key].map { (oldest.id, $0.channel) }
            }
            if admission.served {
                state.served += 1
                state.pending.append((id, key))
                state.pendingIDs.insert(id)
                Self.compact(&state)
            }
            state.entries[key] = Entry(channel: channel, id: id, served: admission.served)
            return admission
        }
        let eventLoop = channel.eventLoop
        channel.closeFuture.whenComplete { [self] _ in closed(unregister(key, id: admission.id), eventLoop) }
        return admission
    }

    /// What ``register(_:)`` decided for a connection registered earlier (without the eviction,
    /// already done), or nil when it is not registered.
    func admission(of channel: any Channel) -> Admission? {
        state.withLockedValue { state in
            state.entries[ObjectIdentifier(channel)].map { Admission(id: $0.id, served: $0.served) }
        }
    }

    /// Records that the connection completed OPTNEG: it is no longer evicted to make room.
    func negotiated(id: Int) {
        state.withLockedValue { state in
            state.pendingIDs.remove(id)
            Self.compact(&state)
        }
    }

    /// Forgets a closed connection; returns how many are left open.
    private func unregister(_ key: ObjectIdentifier, id: Int) -> Int {
        state.withLockedValue { state in
            if state.entries.removeValue(forKey: key)?.served == true { state.served -= 1 }
            state.pendingIDs.remove(id)
            Self.compact(&state)
            return state.entries.count
        }
    }

    private static func takeOldestPending(_ state: inout State) -> (id: Int, key: ObjectIdentifier)? {
        while let oldest = state.pending.popFirst() {
            if state.pendingIDs.remove(oldest.id) != nil { return oldest }
        }
        return nil
    }

    /// Drops the stale records at the front, and rebuilds the queue when stale records in the
    /// middle make it more than twice as long as it needs to be: amortised constant time per call.
    private static func compact(_ state: inout State) {
        while let first = state.pending.first, !state.pendingIDs.contains(first.id) { state.pending.removeFirst() }
        guard state.pending.count > 2 * state.pendingIDs.count + 64 else { return }
        state.pending = CircularBuffer(state.pending.filter { state.pendingIDs.contains($0.id) })
    }

    /// The connections open now.
    var channels: [any Channel] { state.withLockedValue { $0.entries.values.map(\.channel) } }

    /// How many records the queue of pending connections holds (for tests: none may be left behind).
    var pendingRecords: Int { state.withLockedValue { $0.pending.count } }

    /// How many connections are open.
    var count: Int { state.withLockedValue { $0.entries.count } }
}
