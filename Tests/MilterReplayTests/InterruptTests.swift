import Foundation
import MilterTestSupport
import Testing

/// SIGINT and SIGTERM during a run: the run stops starting messages, prints its summary and writes its reports
/// marked interrupted, stops a milter `--start` started, and exits with 128 + the signal. Before, the signal's
/// default action ended the process at once: no summary, no report, and the started milter left running.
@Suite(.tags(.integration)) struct InterruptTests {
    /// A `--duration` run against a milter of the test, interrupted once messages flow.
    @Test func sigintEndsADurationRunWithItsSummaryAndReports() async throws {
        let directory = try Scratch.makeDirectory("interrupt")
        defer { Scratch.remove(directory) }
        let milter = try await ScriptedMilter(script: Scripts.wellBehaved())
        let (child, output) = try Self.start(
            [
                "--target", "127.0.0.1:\(milter.port)", "--connections", "2", "--duration", "120", "--quiet", "--json",
                "--report", directory.appendingPathComponent("run.html").path,
                "--junit", directory.appendingPathComponent("run.xml").path,
                ReplayBinary.fixture("replay/accept.eml"),
            ], in: directory)
        defer { child.killAndReap() }
        try await waitUntil { milter.eventIDs.contains(.endOfMessage) }
        let (exited, stdout, stderr) = await InterruptTests.interrupt(
            child, with: SIGINT, output: output, stopping: milter)
        let sessions = milter.eventIDs.count { $0 == .optionNegotiation }
        #expect(exited)
        #expect(child.termination == .exited(130), "\(stdout)\n\(stderr)")
        // The 2 messages in flight at the signal end, or are cut when they outlast the drain bound (5 s: a
        // loaded machine can starve this test's milter that long; InterruptCutTests makes it so).
        let summary = try #require(stdout.split(separator: "\n").last.flatMap(Self.object), "\(stdout)")
        let interrupted = try #require(summary["interrupted"] as? [String: Any], "\(stdout)")
        #expect(interrupted["signal"] as? String == "SIGINT", "\(stdout)")
        let cut = try #require(interrupted["cut"] as? Int, "\(stdout)")
        #expect((0...2).contains(cut), "\(stdout)")
        // Each session the milter saw was reported or counted cut (a cut one may not have reached it yet).
        let reported = try #require(summary["messages"] as? Int, "\(stdout)")
        #expect((reported...reported + cut).contains(sessions), "\(sessions) sessions: \(stdout)")
        #expect(stdout.contains(#""exitCode":130"#), "\(stdout)")
        #expect(stderr.contains("interrupted by SIGINT: the rest of the duration was not run"), "\(stderr)")
        let report = try String(contentsOf: directory.appendingPathComponent("run.html"), encoding: .utf8)
        #expect(report.contains("interrupted by SIGINT"))
        let junit = try String(contentsOf: directory.appendingPathComponent("run.xml"), encoding: .utf8)
        #expect(junit.contains(#"name="interrupted""#), "\(junit.prefix(400))")
    }

    /// SIGTERM with `--start`: the started milter is stopped before milter-replay exits, not left running.
    @Test func sigtermStopsTheStartedMilter() async throws {
        let directory = try Scratch.makeDirectory("interrupt-start")
        defer { Scratch.remove(directory) }
        let port = try FreePort.allocate()
        let pidFile = directory.appendingPathComponent("milter.pid").path
        // The shell writes its pid, then becomes the milter: that pid is the milter's.
        let command =
            "sh -c 'echo $$ > \(pidFile); exec \(ConformanceBinaryTests.referenceMilter) daemon 127.0.0.1:\(port) "
            + "--handshake-timeout 120'"
        let (child, output) = try Self.start(
            [
                "--target", "127.0.0.1:\(port)", "--start", command, "--duration", "120", "--quiet",
                ReplayBinary.fixture("replay/accept.eml"),
            ], in: directory)
        defer { child.killAndReap() }
        try await FreePort.waitUntilListening(port: port, timeout: .seconds(60))
        let pidText = try String(contentsOfFile: pidFile, encoding: .utf8)
        let milterPID = try #require(Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)))
        child.signal(SIGTERM)
        let exited = await child.exit(within: .seconds(60))
        let alive = kill(milterPID, 0) == 0
        if alive { kill(milterPID, SIGKILL) }
        let (stdout, stderr) = output()
        #expect(exited)
        #expect(child.termination == .exited(143), "\(stdout)\n\(stderr)")
        #expect(!alive, "the started milter (pid \(milterPID)) is still running")
        #expect(stderr.contains("interrupted by SIGTERM"), "\(stderr)")
    }

    /// Sends `signal` to `child`, then raises `release` (a milter holding the work in flight until the signal is
    /// sent goes on), waits up to 60 s for the child to exit (the drain bound plus a loaded machine's slack), stops
    /// `milter` when one is given, and returns whether the child exited and what it wrote.
    static func interrupt(
        _ child: ChildProcess, with signal: Int32, output: @Sendable () -> (String, String),
        stopping milter: ScriptedMilter? = nil, releasing release: ScriptCounter? = nil
    ) async -> (exited: Bool, stdout: String, stderr: String) {
        child.signal(signal)
        release?.increment()
        let exited = await child.exit(within: .seconds(60))
        await milter?.stop()
        let (stdout, stderr) = output()
        return (exited, stdout, stderr)
    }

    /// `line` as a JSON object.
    static func object(_ line: Substring) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
    }

    /// The built binary with `arguments`, running; its standard output and error go to files in `directory`, read
    /// by the function returned.
    static func start(
        _ arguments: [String], in directory: URL
    ) throws -> (ChildProcess, @Sendable () -> (String, String)) {
        let out = directory.appendingPathComponent("stdout")
        let err = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let child = try ChildProcess(
            TestPaths.builtProduct("milter-replay"), arguments, input: FileHandle.nullDevice,
            output: try FileHandle(forWritingTo: out), errors: try FileHandle(forWritingTo: err))
        let read: @Sendable () -> (String, String) = {
            (
                (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                (try? String(contentsOf: err, encoding: .utf8)) ?? ""
            )
        }
        return (child, read)
    }
}
