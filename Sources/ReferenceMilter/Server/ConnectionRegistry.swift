import NIOConcurrencyHelpers
import NIOCore

/// The server's open connections: counts them against the limit and finds them for draining.
final class ConnectionRegistry: Sendable {
    private struct State {
        var channels: [ObjectIdentifier: any Channel] = [:]
        var served = 0
        var nextID = 0
    }
    private let state = NIOLockedValueBox(State())
    private let limit: Int

    init(limit: Int) { self.limit = max(1, limit) }

    /// Registers a new connection; returns its id and whether it may be served (under the limit).
    func register(_ channel: any Channel) -> (id: Int, served: Bool) {
        let (id, served) = state.withLockedValue { state -> (Int, Bool) in
            state.nextID += 1
            let served = state.served < limit
            if served { state.served += 1 }
            state.channels[ObjectIdentifier(channel)] = channel
            return (state.nextID, served)
        }
        channel.closeFuture.whenComplete { [self] _ in unregister(channel, served: served) }
        return (id, served)
    }

    private func unregister(_ channel: any Channel, served: Bool) {
        state.withLockedValue { state in
            state.channels[ObjectIdentifier(channel)] = nil
            if served { state.served -= 1 }
        }
    }

    /// The connections open now.
    var channels: [any Channel] { state.withLockedValue { Array($0.channels.values) } }

    /// How many connections are open.
    var count: Int { state.withLockedValue { $0.channels.count } }
}
