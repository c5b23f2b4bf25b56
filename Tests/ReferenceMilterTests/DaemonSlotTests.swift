import Foundation
import MilterTestSupport
import Testing

/// `reference-milter daemon --max-connections 20` with every slot held by connections that never
/// send OPTNEG: a well-behaved MTA is still served, and the idle connections make room oldest first.
@Suite(.tags(.integration)) struct DaemonSlotTests {
    static let slots = 20

    @Test func idleConnectionsGiveTheirSlotsToMTAsOldestFirst() async throws {
        var idle: [TestMTA] = []
        var good: [TestMTA] = []
        do {
            // A handshake timeout far beyond the test: only the eviction may close the idle connections.
            try await RunningDaemon.with(
                "slots", metrics: true,
                ["--max-connections", "\(Self.slots)", "--handshake-timeout", "600", "--log-level", "info"]
            ) { daemon in
                // The readiness probe's connection is gone before the idle ones come.
                try await Self.waitForOpenConnections(0, metricsPort: daemon.metricsPort)
                for _ in 0..<Self.slots {
                    idle.append(try await TestMTA.connect(port: daemon.port, timeout: .seconds(600)))
                }
                try await Self.waitForOpenConnections(Self.slots, metricsPort: daemon.metricsPort)
                // Three MTA sessions, held open: each takes the slot of the oldest idle connection.
                for index in 0..<3 {
                    let mta = try await TestMTA.connect(port: daemon.port)
                    good.append(mta)
                    try await mta.negotiate()
                    try await mta.send([Cmd.connect, Cmd.helo])
                    #expect(
                        try await mta.message(Cmd.message(subject: "slot \(index)", queueID: "S\(index)")).last
                            == .accept)
                }
                for (index, connection) in idle.enumerated() {
                    if index < 3 {
                        #expect(try await connection.isClosed(), "idle connection \(index) is still open")
                    } else {
                        #expect(await connection.isOpen, "idle connection \(index) was closed")
                    }
                }
                let text = try await HTTPGet.get("/metrics", port: daemon.metricsPort).body
                #expect(DaemonMetricsTests.value(text, "milter_connections_evicted_total") == 3, "\(text)")
                #expect(
                    daemon.log().components(separatedBy: "closing the oldest connection that has not sent OPTNEG")
                        .count == 4, "\(daemon.log())")
            }
        } catch {
            await Self.close(idle + good)
            throw error
        }
        await Self.close(idle + good)
    }

    static func waitForOpenConnections(_ count: Int, metricsPort: Int) async throws {
        _ = try await pollUntil("\(count) connections open", timeout: .seconds(30)) {
            let text = try await HTTPGet.get("/metrics", port: metricsPort).body
            return DaemonMetricsTests.value(text, "milter_connections_open") == count ? true : nil
        }
    }

    static func close(_ connections: [TestMTA]) async {
        for connection in connections { await connection.close() }
    }
}
