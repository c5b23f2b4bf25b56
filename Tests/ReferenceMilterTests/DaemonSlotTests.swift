import Foundation
import MilterTestSupport
import Testing

/// `reference-milter daemon --max-connections 20` with every slot held by connections that never
/// send OPTNEG: a well-behaved MTA is still served, and the idle connections make room oldest first.
@Suite(.tags(.integration)) struct DaemonSlotTests {
    static let slots = 20

    @Test func idleConnectionsGiveTheirSlotsToMTAsOldestFirst() async throws {
        let milterPort = try FreePort.allocate()
        let metricsPort = try FreePort.allocate()
        let scratch = try Scratch.makeDirectory("slots")
        defer { Scratch.remove(scratch) }
        // A handshake timeout far beyond the test: only the eviction may close the idle connections.
        let daemon = try BackgroundProcess.start(
            DaemonTests.binary,
            [
                "daemon", "127.0.0.1:\(milterPort)", "--max-connections", "\(Self.slots)", "--handshake-timeout",
                "600", "--metrics", "127.0.0.1:\(metricsPort)", "--log-level", "info",
            ],
            logFile: scratch.appendingPathComponent("log"), environment: DaemonTests.cleanEnvironment)
        var idle: [TestMTA] = []
        var good: [TestMTA] = []
        do {
            try await FreePort.waitUntilListening(port: milterPort)
            try await FreePort.waitUntilListening(port: metricsPort)
            // The readiness probe's connection is gone before the idle ones come.
            try await Self.waitForOpenConnections(0, metricsPort: metricsPort)
            for _ in 0..<Self.slots { idle.append(try await TestMTA.connect(port: milterPort, timeout: .seconds(600))) }
            try await Self.waitForOpenConnections(Self.slots, metricsPort: metricsPort)
            // Three MTA sessions, held open: each takes the slot of the oldest idle connection.
            for index in 0..<3 {
                let mta = try await TestMTA.connect(port: milterPort)
                good.append(mta)
                try await mta.negotiate()
                try await mta.send([Cmd.connect, Cmd.helo])
                #expect(
                    try await mta.message(Cmd.message(subject: "slot \(index)", queueID: "S\(index)")).last == .accept)
            }
            for (index, connection) in idle.enumerated() {
                if index < 3 {
                    #expect(try await connection.isClosed(), "idle connection \(index) is still open")
                } else {
                    #expect(await connection.isOpen, "idle connection \(index) was closed")
                }
            }
            let text = try HTTPGet.get("/metrics", port: metricsPort).body
            #expect(DaemonMetricsTests.value(text, "milter_connections_evicted_total") == 3, "\(text)")
            #expect(
                daemon.log().components(separatedBy: "closing the oldest connection that has not sent OPTNEG").count
                    == 4, "\(daemon.log())")
        } catch {
            Issue.record("daemon log:\n\(daemon.log())")
            await Self.close(idle + good)
            await daemon.stop()
            throw error
        }
        await Self.close(idle + good)
        await daemon.stop()
    }

    static func waitForOpenConnections(_ count: Int, metricsPort: Int) async throws {
        _ = try await pollUntil("\(count) connections open", timeout: .seconds(30)) {
            let text = try HTTPGet.get("/metrics", port: metricsPort).body
            return DaemonMetricsTests.value(text, "milter_connections_open") == count ? true : nil
        }
    }

    static func close(_ connections: [TestMTA]) async {
        for connection in connections { await connection.close() }
    }
}
