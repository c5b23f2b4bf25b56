import Foundation
import MilterTestSupport
import Testing

/// Scale-out as the README describes it: HAProxy in TCP mode in front of two `reference-milter
/// daemon`s. Load through it reaches both; when one daemon dies mid-run, its open sessions fail
/// and milter-replay reports them, new connections go to the other daemon, and nothing hangs.
@Suite("HAProxy in front of two reference-milter daemons", .serialized)
struct HAProxyScaleOutTests {
    static func replay(_ port: Int, _ arguments: [String]) -> [String] {
        ["--target", "127.0.0.1:\(port)", "--json", TestPaths.fixtures("replay/accept.eml").path] + arguments
    }

    /// Starts two daemons and HAProxy, runs `body`, stops them all.
    static func withTwoDaemons(
        _ body: (ScratchPeer, ScratchPeer, ScratchPeer) async throws -> Void
    ) async throws {
        try await withPeer(try await ScaleOutDaemon.start()) { first in
            try await withPeer(try await ScaleOutDaemon.start()) { second in
                try await withPeer(try await HAProxy.start(servers: [first.port, second.port])) { proxy in
                    try await body(proxy, first, second)
                }
            }
        }
    }

    @Test func loadSpreadsOverBothDaemons() async throws {
        guard Interop.require(.haproxy) else { return }
        try await Self.withTwoDaemons { proxy, first, second in
            let result = try await MilterReplayBinary.run(
                Self.replay(
                    proxy.port, ["--connections", "4", "--messages-per-connection", "5", "--repeat", "200"]))
            #expect(result.status == 0, "\(result.stderr)")
            let summary = try #require(try MilterReplayBinary.jsonLines(result.stdout).last)
            #expect(summary["messages"] as? Int == 200)
            #expect(ScaleOutDaemon.verdictCount(first) > 0 && ScaleOutDaemon.verdictCount(second) > 0)
            #expect(ScaleOutDaemon.verdictCount(first) + ScaleOutDaemon.verdictCount(second) == 200)
        }
    }

    @Test func aDaemonKilledMidRunFailsItsSessionsAndTheOtherTakesOver() async throws {
        guard Interop.require(.haproxy) else { return }
        try await Self.withTwoDaemons { proxy, first, second in
            let directory = try Scratch.makeDirectory("haproxy-run")
            defer { Scratch.remove(directory) }
            let output = directory.appendingPathComponent("replay.jsonl")
            let run = try BackgroundProcess.start(
                // Closed loop: every connection is always inside a message, so those on the killed daemon fail.
                // The run lasts until the test interrupts it, however late a loaded machine lets the test act.
                MilterReplayBinary.path,
                Self.replay(
                    proxy.port, ["--connections", "8", "--messages-per-connection", "20", "--duration", "600"]),
                logFile: output)
            do {
                try await Self.killFirstMidRun(run, first, second)
            } catch {
                await run.stop()
                throw error
            }
            await run.stop()
        }
    }

    /// Kills the first daemon once both have served messages of `run`, lets the second serve 100 more, then
    /// interrupts `run` (SIGINT) and checks what it reported.
    static func killFirstMidRun(
        _ run: BackgroundProcess, _ first: ScratchPeer, _ second: ScratchPeer
    ) async throws {
        _ = try await pollUntil("messages on both daemons", timeout: .seconds(120), interval: .milliseconds(20)) {
            ScaleOutDaemon.verdictCount(first) >= 50 && ScaleOutDaemon.verdictCount(second) >= 50
                ? true : nil
        }
        // SIGKILL, as a crash: its open connections break mid-message.
        kill(first.process.pid, SIGKILL)
        let servedBeforeKill = ScaleOutDaemon.verdictCount(second)
        // New connections go to the surviving daemon, which serves well after the kill.
        _ = try await pollUntil("100 messages on the second daemon after the kill", timeout: .seconds(300)) {
            ScaleOutDaemon.verdictCount(second) > servedBeforeKill + 100 ? true : nil
        }
        #expect(run.isRunning, "milter-replay ended before it was interrupted: \(run.log().suffix(600))")
        kill(run.pid, SIGINT)
        _ = try await pollUntil("milter-replay to finish", timeout: .seconds(120)) { run.isRunning ? nil : true }
        #expect(run.termination == .exited(130), "\(run.log().suffix(600))")
        // Standard error shares the file: keep the JSON lines.
        let json = run.log().split(separator: "\n").filter { $0.hasPrefix("{") }.joined(separator: "\n")
        let summary = try #require(try MilterReplayBinary.jsonLines(json).last)
        #expect(summary["type"] as? String == "summary")
        #expect(summary["exitCode"] as? Int == 130, "\(summary)")
        let interrupted = summary["interrupted"] as? [String: Any] ?? [:]
        #expect(interrupted["signal"] as? String == "SIGINT", "\(summary)")
        // The sessions open on the killed daemon are reported: findings and tempfail verdicts.
        let findings = summary["findings"] as? [String: Int] ?? [:]
        #expect(findings.values.reduce(0, +) > 0, "\(summary)")
        let verdicts = summary["verdicts"] as? [String: Int] ?? [:]
        #expect((verdicts["tempfail"] ?? 0) > 0, "\(summary)")
        // Every message a daemon classified was reported accepted, but those whose verdict the kill or the
        // interruption kept from milter-replay: at most one per connection, 8, and those cut in flight.
        let cut = interrupted["cut"] as? Int ?? 0
        #expect(
            (verdicts["accept"] ?? 0) >= ScaleOutDaemon.verdictCount(first)
                + ScaleOutDaemon.verdictCount(second) - 10 - cut, "\(summary)")
    }
}
