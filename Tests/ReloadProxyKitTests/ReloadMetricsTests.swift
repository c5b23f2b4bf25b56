import Foundation
import MilterTestSupport
import Testing

/// `daemon --metrics` behind reload-proxy: the new child cannot bind the metrics port until the old one is
/// retired (SIGINT, once the new one is ready), so it serves the milter at once and binds the port as soon as the
/// old one closes it, at the start of its drain.
@Suite("reload-proxy + reference-milter --metrics", .serialized, .timeLimit(.minutes(3)))
struct ReloadMetricsTests {
    static let waiting = "waiting for the metrics address"

    @Test func aReloadHandsTheMetricsPortToTheNewChild() async throws {
        let port = try FreePort.allocate()
        try await ProxyProcess.with(daemonArguments: ["--metrics", "127.0.0.1:\(port)"]) { proxy in
            try await FreePort.waitUntilListening(port: port)
            #expect(try await HTTPGet.get("/metrics", port: port).status == 200)
            try proxy.writeRules(generation: 1)
            proxy.signal(SIGHUP)
            // Before the fix the new child exited 2 (the port was in use) and the old one kept serving.
            try await proxy.waitForLog("the reload", timeout: .seconds(60)) {
                $0.readyCount >= 2 && $0.cleanExits >= 1
            }
            let outcome = await MilterSessions.run(proxy.socketPath)
            #expect(outcome.generation == "1", "\(outcome.problem)")
            #expect(proxy.log().contains(Self.waiting), "\(proxy.log())")
            // The old child has exited: whatever answers on the port now is the new one.
            let status = try await pollUntil("metrics from the new child", timeout: .seconds(20)) {
                (try? await HTTPGet.get("/metrics", port: port))?.status == 200 ? true : nil
            }
            #expect(status)
            #expect(proxy.isRunning)
        }
    }

    /// docs/deploying.md said the old child holds the port while it drains: it closes it when SIGINT starts its
    /// drain, and the new child serves the metrics while the old one still finishes a session. The drain waits
    /// 600 s: with 25 s, a starved test finished its held session after the old child had cut it.
    @Test func theNewChildServesTheMetricsWhileTheOldOneDrains() async throws {
        let port = try FreePort.allocate()
        try await ProxyProcess.with(
            daemonArguments: ["--metrics", "127.0.0.1:\(port)"], drainSeconds: 600, stopSeconds: 600
        ) { proxy in
            try await FreePort.waitUntilListening(port: port)
            let held = try await MilterSessions.open(proxy.socketPath)
            try proxy.writeRules(generation: 1)
            proxy.signal(SIGHUP)
            // The new child binds the port only once the old one closed it; the old one logs its drain.
            try await proxy.waitForLog("the new child's metrics and the old one's drain", timeout: .seconds(60)) {
                $0.text.components(separatedBy: "serving metrics").count - 1 >= 2
                    && $0.text.contains("draining connections=1")
            }
            #expect(try await HTTPGet.get("/metrics", port: port).status == 200)
            #expect(ProxyLog(text: proxy.log()).cleanExits == 0, "\(proxy.log())")
            // The old child still serves the session it holds, with its own rules.
            let outcome = await MilterSessions.finish(held)
            #expect(outcome.generation == "0", "\(outcome.problem)")
        }
    }

    /// The port is held by someone else, for good: the child serves and retries for --metrics-wait, then exits 2
    /// with the address named, as outside the proxy (it retried for ever). The proxy restarts it.
    @Test func aPortHeldByAnotherProcessEndsTheWaitWithExit2() async throws {
        let (fd, port) = try FreePort.boundSocket()
        defer { close(fd) }
        #expect(listen(fd, 4) == 0)
        let arguments = ["--metrics", "127.0.0.1:\(port)", "--metrics-wait", "3"]
        try await ProxyProcess.with(daemonArguments: arguments) { proxy in
            try await proxy.waitForLog("the child's exit", timeout: .seconds(60)) {
                $0.text.contains("exited with status 2")
            }
            let log = proxy.log()
            #expect(log.contains(Self.waiting), "\(log)")
            let expected =
                "reference-milter: cannot serve metrics on 127.0.0.1:\(port): the address is already in use "
                + "(waited 3 s for it)"
            let line = log.split(separator: "\n").first { $0.contains("cannot serve metrics") }
            #expect(line.map(String.init) == expected, "\(log)")
        }
    }

    /// The port is held by someone else for good, and each child serves longer than --max-backoff before it gives up
    /// with exit 2: the exits still count as failures in a row, and the proxy gives up after --max-restarts.
    /// The proxy restarted such a child for ever: one that served --max-backoff ended the row.
    @Test func childrenGivingUpOnAPortHeldByAnotherProcessEndTheProxy() async throws {
        let (fd, port) = try FreePort.boundSocket()
        defer { close(fd) }
        #expect(listen(fd, 4) == 0)
        try await ProxyProcess.with(
            proxyArguments: ["--restart-backoff", "0.1", "--max-backoff", "1", "--max-restarts", "1"],
            daemonArguments: ["--metrics", "127.0.0.1:\(port)", "--metrics-wait", "2"]
        ) { proxy in
            #expect(await proxy.waitForExit(timeout: .seconds(60)), "\(proxy.log())")
            #expect(proxy.exitStatus == 3, "\(proxy.log())")
            let log = proxy.log()
            #expect(log.contains("giving up after 2 failures in a row (--max-restarts 1)"), "\(log)")
            #expect(log.contains("exited with status 2 unexpectedly (a usage or configuration error"), "\(log)")
        }
    }

    /// The port is held by someone else: the child serves, retries, and still stops at once on SIGTERM. The drain
    /// and the proxy's stop wait 600 s, so a daemon still retrying would be far past the 60 s allowed for the exit,
    /// which a starved machine does not reach (it had 10 s against a 25 s drain).
    @Test func sigtermStopsADaemonStillWaitingForTheMetricsPort() async throws {
        let (fd, port) = try FreePort.boundSocket()
        defer { close(fd) }
        #expect(listen(fd, 4) == 0)
        try await ProxyProcess.with(
            daemonArguments: ["--metrics", "127.0.0.1:\(port)"], drainSeconds: 600, stopSeconds: 600
        ) { proxy in
            #expect(await MilterSessions.run(proxy.socketPath).ok)
            try await proxy.waitForLog("the retries", timeout: .seconds(60)) { $0.text.contains(Self.waiting) }
            let start = ContinuousClock.now
            proxy.signal(SIGTERM)
            #expect(await proxy.waitForExit(timeout: .seconds(120)))
            // Up to when the exit was seen, not up to now: a test starved of CPU after the exit was not the proxy.
            #expect(try #require(proxy.exitInstant) - start < .seconds(60))
            #expect(proxy.exitStatus == 0)
            #expect(ProxyLog(text: proxy.log()).cleanExits == 1, "\(proxy.log())")
        }
    }
}
