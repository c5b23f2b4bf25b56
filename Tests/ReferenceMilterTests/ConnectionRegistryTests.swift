import NIOCore
import NIOEmbedded
import Testing

@testable import ReferenceMilter

/// The connection limit: a newcomer takes the slot of the oldest connection that has not sent
/// OPTNEG; only when every connection has is it refused.
@Suite struct ConnectionRegistryTests {
    /// Registers `count` connected test channels.
    static func open(
        _ count: Int, in registry: ConnectionRegistry
    ) async throws -> [(
        channel: EmbeddedChannel, admission: ConnectionRegistry.Admission
    )] {
        var opened: [(EmbeddedChannel, ConnectionRegistry.Admission)] = []
        for _ in 0..<count {
            let channel = EmbeddedChannel()
            try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).get()
            opened.append((channel, registry.register(channel)))
        }
        return opened
    }

    /// Closes a test channel and runs its loop, where the registry hears of the close.
    static func close(_ channel: any Channel) async throws {
        try await channel.close()
        (channel.eventLoop as? EmbeddedEventLoop)?.run()
    }

    @Test func aNewcomerClosesTheOldestPendingConnectionsFirst() async throws {
        let registry = ConnectionRegistry(limit: 4)
        let idle = try await Self.open(4, in: registry)
        #expect(idle.allSatisfy { $0.admission.served && $0.admission.evicted == nil })
        // The oldest one negotiates: it is kept, and the next oldest goes first.
        registry.negotiated(id: idle[0].admission.id)
        var evicted: [Int] = []
        for newcomer in try await Self.open(3, in: registry) {
            #expect(newcomer.admission.served)
            let victim = try #require(newcomer.admission.evicted)
            evicted.append(victim.id)
            try await Self.close(victim.channel)
            registry.negotiated(id: newcomer.admission.id)
        }
        #expect(evicted == idle[1...3].map(\.admission.id))
        #expect(registry.count == 4)
        // Every connection has negotiated: the next one is refused and takes no slot.
        let refused = try #require(try await Self.open(1, in: registry).first)
        #expect(!refused.admission.served && refused.admission.evicted == nil)
        try await Self.close(refused.channel)
        // A served connection that closes frees its slot for a newcomer without an eviction.
        try await Self.close(idle[0].channel)
        let admitted = try #require(try await Self.open(1, in: registry).first)
        #expect(admitted.admission.served && admitted.admission.evicted == nil)
    }

    @Test func connectionsThatNegotiateOrCloseLeaveNoRecordsBehind() async throws {
        let registry = ConnectionRegistry(limit: 3)
        // A pending connection held throughout: the records of the others pile up behind it.
        let holder = try #require(try await Self.open(1, in: registry).first)
        for _ in 0..<1_000 {
            let opened = try await Self.open(2, in: registry)
            registry.negotiated(id: opened[1].admission.id)
            for connection in opened { try await Self.close(connection.channel) }
        }
        // Rebuilt once twice as long as needed plus 64.
        #expect(registry.pendingRecords <= 2 + 64)
        try await Self.close(holder.channel)
        #expect(registry.count == 0)
        #expect(registry.pendingRecords == 0)
    }
}
