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
        try await withPeer(try await ReferenceMilterDaemon.start()) { first in
            try await withPeer(try await ReferenceMilterDaemon.start()) { second in
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
            #expect(ReferenceMilterDaemon.verdictCount(first) > 0 && ReferenceMilterDaemon.verdictCount(second) > 0)
            #expect(ReferenceMilterDaemon.verdictCount(first) + ReferenceMilterDaemon.verdictCount(second) == 200)
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
                MilterReplayBinary.path,
                Self.replay(proxy.port, ["--connections", "8", "--messages-per-connection", "20", "--duration", "5"]),
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

    /// Kills the first daemon once both have served messages of `run`, waits for `run` to end, and
    /// checks what it reported.
    static func killFirstMidRun(
        _ run: BackgroundProcess, _ first: ScratchPeer, _ second: ScratchPeer
    ) async throws {
        _ = try await pollUntil("messages on both daemons", timeout: .seconds(30), interval: .milliseconds(20)) {
            ReferenceMilterDaemon.verdictCount(first) >= 50 && ReferenceMilterDaemon.verdictCount(second) >= 50
                ? true : nil
        }
        // SIGKILL, as a crash: its open connections break mid-message.
        kill(first.process.pid, SIGKILL)
        let servedBeforeKill = ReferenceMilterDaemon.verdictCount(second)
        _ = try await pollUntil("milter-replay to finish", timeout: .seconds(60)) { run.isRunning ? nil : true }
        // Standard error shares the file: keep the JSON lines.
        let json = run.log().split(separator: "\n").filter { $0.hasPrefix("{") }.joined(separator: "\n")
        let summary = try #require(try MilterReplayBinary.jsonLines(json).last)
        #expect(summary["type"] as? String == "summary")
        // The sessions open on the killed daemon are reported: findings, tempfail verdicts, exit 1.
        let findings = summary["findings"] as? [String: Int] ?? [:]
        #expect(findings.values.reduce(0, +) > 0, "\(summary)")
        let verdicts = summary["verdicts"] as? [String: Int] ?? [:]
        #expect((verdicts["tempfail"] ?? 0) > 0, "\(summary)")
        #expect(summary["exitCode"] as? Int == 1, "\(summary)")
        // New connections went to the surviving daemon, which served well after the kill.
        #expect(
            ReferenceMilterDaemon.verdictCount(second) > servedBeforeKill + 100,
            "served \(ReferenceMilterDaemon.verdictCount(second)), \(servedBeforeKill) before the kill")
        #expect(
            (verdicts["accept"] ?? 0) >= ReferenceMilterDaemon.verdictCount(first)
                + ReferenceMilterDaemon.verdictCount(second) - 10, "\(summary)")
    }
}
