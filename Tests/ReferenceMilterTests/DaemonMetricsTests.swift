import Foundation
import MilterProtocol
import MilterTestSupport
import Testing

/// `daemon --metrics ADDR` on the built binary: a scrape after real traffic shows the counts.
@Suite(.tags(.integration)) struct DaemonMetricsTests {
    @Test func scrapeAfterTrafficShowsTheCounts() async throws {
        try await RunningDaemon.with(
            "metrics", metrics: true, ["--drain-timeout", "0.2", "--handshake-timeout", "120"]
        ) { daemon in
            try await sendTraffic(port: daemon.port)
            // The connections are closed: the open-connections gauge comes back to 0.
            let text = try await pollUntil("connections closed", timeout: .seconds(20)) {
                let text = try await HTTPGet.get("/metrics", port: daemon.metricsPort).body
                return text.contains("milter_connections_open 0") ? text : nil
            }
            #expect(Self.value(text, "milter_messages_total{verdict=\"accept\"}") == 2)
            #expect(Self.value(text, "milter_messages_total{verdict=\"reject\"}") == 1)
            #expect(Self.value(text, "milter_messages_total{verdict=\"tempfail\"}") == 1)
            // Three: the readiness probe's connect, the test MTA and the bad peer.
            #expect(Self.value(text, "milter_connections_total") == 3)
            #expect(Self.value(text, "milter_classifier_duration_seconds_count") == 4)
            #expect((Self.value(text, "milter_bytes_received_total") ?? 0) > 500)
            #expect((Self.value(text, "milter_bytes_sent_total") ?? 0) > 20)
            // The second connection sent a frame with an unknown command byte.
            let errors = text.split(separator: "\n").filter { $0.hasPrefix("milter_protocol_errors_total{") }
            #expect(errors.count == 1, "\(errors)")
            #expect(errors.first?.hasSuffix(" 1") == true)

            let missing = try await HTTPGet.get("/", port: daemon.metricsPort)
            #expect(missing.status == 404)
        }
    }

    @Test func aBadMetricsAddressIsAUsageError() async throws {
        let result = try await ProcessRunner.run(
            DaemonTests.binary, ["daemon", "127.0.0.1:0", "--metrics", "unix:/tmp/m.sock"],
            environment: DaemonTests.cleanEnvironment, timeout: .seconds(60))
        #expect(result.status == 2)
        #expect(result.stderr.contains("--metrics"))
    }

    private func sendTraffic(port: Int) async throws {
        let mta = try await TestMTA.connect(port: port)
        try await mta.negotiate()
        try await mta.send([Cmd.connect, Cmd.helo])
        #expect(try await mta.message(Cmd.message(subject: "one", queueID: "A1")).last == .accept)
        #expect(try await mta.message(Cmd.message(subject: "two", queueID: "A2")).last == .accept)
        #expect(
            try await mta.message(Cmd.message(subject: "[reject] x", queueID: "A3")).last.map(Self.replyClass) == "5")
        #expect(
            try await mta.message(Cmd.message(subject: "[tempfail] y", queueID: "A4")).last.map(Self.replyClass) == "4")
        await mta.close()

        let bad = try await TestMTA.connect(port: port)
        try await bad.negotiate()
        try await bad.sendRaw([0, 0, 0, 1, 0x01])
        #expect(try await bad.isClosed())
        await bad.close()
    }

    /// The first digit of a reply-code reply, or `-`.
    static func replyClass(_ reply: MilterReply) -> String {
        if case .replyCode(let text) = reply { return String(text.string.prefix(1)) }
        return "-"
    }

    /// The value of the sample line that starts with `series` and a space.
    static func value(_ text: String, _ series: String) -> Int? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1)).map { Int($0) }
        }
        return nil
    }
}
