import Foundation
import MilterTestSupport
import Testing

/// `daemon --metrics` against clients that misbehave, on the built binary: each connection is closed
/// `--metrics-timeout` after it was accepted whatever it sends (408 when no response has begun), connections over
/// `--metrics-max-connections` are answered 503 and closed, and the milter is served meanwhile.
@Suite(.tags(.integration)) struct MetricsHostileClientTests {
    /// How a client holds its connection: silent after its request line, trickling header lines, or trickling the
    /// body of a request that claims a gigabyte. A read timeout reset by every byte let the last two hold it for
    /// hours; with `--metrics-timeout 1` each is answered 408 and closed (the test allows 30 s).
    @Test(arguments: ["silent", "headers", "body"])
    func aSlowRequestIsAnswered408AndClosedAtTheTimeout(kind: String) async throws {
        try await RunningDaemon.with("metrics-slow", metrics: true, ["--metrics-timeout", "1"]) { daemon in
            let client = try RawTCPClient(port: daemon.metricsPort)
            let start =
                kind == "body"
                ? "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n"
                : "GET /metrics HTTP/1.1\r\nHost: x\r\n"
            let closed = try await offPool {
                client.send(Array(start.utf8))
                let end = Date().addingTimeInterval(30)
                while !client.isClosed, Date() < end {
                    switch kind {
                    case "headers": client.send(Array("X-Trickle: y\r\n".utf8))
                    case "body": client.send(Array("0123456789".utf8))
                    default: break
                    }
                    client.read(waitingUpTo: 200)
                }
                return client.isClosed
            }
            #expect(closed, "still open after 30 s with --metrics-timeout 1")
            #expect(client.text.hasPrefix("HTTP/1.1 408 Request Timeout\r\n"), "\(client.text)")
            #expect(client.text.hasSuffix("no complete request within 1 s\n"), "\(client.text)")
        }
    }

    /// Three silent connections for the two slots of `--metrics-max-connections 2`: one (whichever the endpoint's
    /// event loops set up last) is answered 503 and closed at once, the other two stay, the milter still answers,
    /// and once a slot is free a scrape succeeds. Without the cap every connection took a descriptor until its
    /// timeout, and enough of them left the milter none to accept with.
    @Test func connectionsOverTheCapAreAnswered503AndTheMilterIsServed() async throws {
        try await RunningDaemon.with(
            "metrics-cap", metrics: true, ["--metrics-max-connections", "2", "--metrics-timeout", "600"]
        ) { daemon in
            // A whole scrape first: the connections of the start-up probes are closed before the three.
            #expect(try await HTTPGet.get("/metrics", port: daemon.metricsPort).status == 200)
            let clients = try (0..<3).map { _ in try RawTCPClient(port: daemon.metricsPort) }
            let refused = try await offPool { () -> RawTCPClient? in
                let end = Date().addingTimeInterval(30)
                while Date() < end {
                    for client in clients where client.read(waitingUpTo: 50) { return client }
                }
                return nil
            }
            let text = refused?.text ?? "none closed within 30 s"
            #expect(text.hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"), "\(text)")
            #expect(text.hasSuffix("too many metrics connections (2 open)\n"), "\(text)")
            let holders = clients.filter { $0 !== refused }
            let stillOpen = try await offPool { holders.filter { !$0.read(waitingUpTo: 500) }.count }
            #expect(stillOpen == 2)

            let mta = try await TestMTA.connect(port: daemon.port)
            _ = try await mta.negotiate()
            await mta.close()

            holders.first?.close()
            let status = try await pollUntil("a free metrics slot", timeout: .seconds(30)) {
                let status = try await HTTPGet.get("/metrics", port: daemon.metricsPort).status
                return status == 200 ? status : nil
            }
            #expect(status == 200)
            withExtendedLifetime(holders) {}
        }
    }

    /// Every connection refused over the cap is counted in `milter_metrics_connections_refused_total`, and the log
    /// says so once, not once per refusal: a flood of connections must not flood the log. They were neither.
    @Test func refusedConnectionsAreCountedAndLoggedOnce() async throws {
        try await RunningDaemon.with(
            "metrics-refused", metrics: true, ["--metrics-max-connections", "2", "--metrics-timeout", "600"]
        ) { daemon in
            // The count once one slot is held: the start-up probe's connection may have been refused meanwhile
            // (its event loop may set it up after a later connection's), and a scrape uses the other slot.
            let first = try await Self.hold(port: daemon.metricsPort).0
            let before = try await pollUntil("a scrape", timeout: .seconds(30)) { () -> Int? in
                let (status, body) = try await HTTPGet.get("/metrics", port: daemon.metricsPort)
                return status == 200 ? DaemonMetricsTests.value(body, "milter_metrics_connections_refused_total") : nil
            }
            let (second, refusedHolding) = try await Self.hold(port: daemon.metricsPort)
            var refused = refusedHolding
            for _ in 0..<20 {
                let client = try RawTCPClient(port: daemon.metricsPort)
                let closed = try await offPool { client.readUntilClosed(seconds: 30) }
                #expect(closed)
                #expect(client.text.hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"), "\(client.text)")
                refused += 1
            }
            second.close()
            // A scrape refused while the slot is being freed is counted; one refused before its request was read can
            // end in a reset instead of its 503 (the refusal reads nothing): no status, or an error, may have been one.
            var unknown = 0
            let body = try await pollUntil("a free metrics slot", timeout: .seconds(30)) { () -> String? in
                do {
                    let (status, body) = try await HTTPGet.get("/metrics", port: daemon.metricsPort)
                    if status == 503 { refused += 1 } else if status != 200 { unknown += 1 }
                    return status == 200 ? body : nil
                } catch {
                    unknown += 1
                    return nil
                }
            }
            let counted = (DaemonMetricsTests.value(body, "milter_metrics_connections_refused_total") ?? -1) - before
            #expect(
                counted >= refused && counted <= refused + unknown, "\(refused) refused, \(unknown) unknown: \(body)")
            let lines = daemon.log().components(separatedBy: "\n").filter {
                $0.contains("metrics connections refused")
            }
            #expect(lines.count == 1, "\(daemon.log())")
            #expect(lines.first?.contains("limit=2") ?? false, "\(lines)")
            first.close()
        }
    }

    /// A connection that holds a metrics slot: one that has had nothing after half a second was admitted (a refusal
    /// is written at once). A connection just closed may not have freed its slot yet: a candidate is then refused,
    /// and another tried. Returns the holder and the refusals so far.
    private static func hold(port: Int) async throws -> (RawTCPClient, refused: Int) {
        var refused = 0
        for _ in 0..<20 {
            let candidate = try RawTCPClient(port: port)
            guard try await offPool({ candidate.read(waitingUpTo: 500) }) else { return (candidate, refused) }
            _ = try await offPool { candidate.readUntilClosed(seconds: 30) }
            #expect(candidate.text.hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"), "\(candidate.text)")
            refused += 1
        }
        throw HarnessError("no free metrics slot in 20 tries")
    }

    /// A method other than GET or HEAD is answered 405 with the `Allow` header HTTP requires of it.
    @Test func aPostIsAnswered405WithAllow() async throws {
        try await RunningDaemon.with("metrics-post", metrics: true, []) { daemon in
            let client = try RawTCPClient(port: daemon.metricsPort)
            let closed = try await offPool {
                client.send(Array("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nab".utf8))
                return client.readUntilClosed(seconds: 30)
            }
            #expect(closed)
            #expect(client.text.hasPrefix("HTTP/1.1 405 Method Not Allowed\r\n"), "\(client.text)")
            #expect(client.text.contains("\r\nAllow: GET, HEAD\r\n"), "\(client.text)")
        }
    }
}
