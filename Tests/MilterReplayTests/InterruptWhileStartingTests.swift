import Foundation
import MilterTestSupport
import Testing

/// SIGINT or SIGTERM while the `--start` milter is still starting (it never listens here), in `.eml` and `--pcap`
/// replay, `conformance` and `scenario`: the run ends as an interruption with nothing run, the started process
/// stopped, the summary, `--json`, `--report` and `--junit` written marked interrupted, exit 128 + the signal.
/// Before, it exited so with no summary and no report.
@Suite(.tags(.integration)) struct InterruptWhileStartingTests {
    /// What is run: an .eml file (its reports counting the one message not sent), a capture read as it goes (not
    /// counted), `conformance` or `scenario`.
    enum Run: String, CaseIterable, Sendable {
        case eml, pcap, conformance, scenario

        /// The command line, around `common` (`--target`, `--start`, `--json`); reports in `directory`.
        func arguments(_ common: [String], in directory: URL) -> [String] {
            let junit = directory.appendingPathComponent("junit.xml").path
            let report = directory.appendingPathComponent("report.html").path
            return switch self {
            case .eml:
                common + ["--quiet", "--junit", junit, "--report", report, ReplayBinary.fixture("replay/accept.eml")]
            case .pcap:
                common + [
                    "--quiet", "--report", report, "--pcap", ReplayBinary.fixture("pcap/postfix-cmilter-lo.pcap"),
                ]
            case .conformance: ["conformance"] + common + ["--junit", junit, "--report", report]
            case .scenario:
                ["scenario"] + common
                    + [
                        "--junit", junit,
                        TestPaths.root.appendingPathComponent("Examples/scenarios/reference-milter.yaml").path,
                    ]
            }
        }

        var writesJUnit: Bool { self != .pcap }
        var writesReport: Bool { self != .scenario }
    }

    @Test(arguments: Run.allCases, [SIGINT, SIGTERM])
    func aSignalWhileTheMilterStartsEndsTheRunWithItsReports(run: Run, signal: Int32) async throws {
        try await Self.interruptWhileStarting(run: run, signal: signal, milterToo: false)
    }

    /// Ctrl-C in a terminal signals the whole foreground process group, the starting milter too, which then dies
    /// of it (status 130): still an interruption, not "the milter exited with status 130 before accepting
    /// connections" (exit 3, reports not marked), which milter-replay said when it saw the milter gone before its
    /// own handler had run.
    @Test(arguments: [SIGINT, SIGTERM])
    func aSignalToTheMilterTooIsStillAnInterruption(signal: Int32) async throws {
        try await Self.interruptWhileStarting(run: .eml, signal: signal, milterToo: true)
    }

    /// Starts `run` with a `--start` milter that never listens, sends `signal` to milter-replay (and then to the
    /// milter when `milterToo`), and checks the run ended as an interruption with its reports.
    static func interruptWhileStarting(run: Run, signal: Int32, milterToo: Bool) async throws {
        let directory = try Scratch.makeDirectory("interrupt-starting")
        defer { Scratch.remove(directory) }
        let port = try FreePort.allocate()
        let pidFile = directory.appendingPathComponent("milter.pid").path
        // The shell writes its pid, then becomes a process that never listens: that pid is the "milter"'s.
        let command = "sh -c 'echo $$ > \(pidFile); exec sleep 600'"
        let arguments = run.arguments(
            ["--target", "127.0.0.1:\(port)", "--start", command, "--start-timeout", "3600", "--json"], in: directory)
        let (child, output) = try InterruptTests.start(arguments, in: directory)
        defer { child.killAndReap() }
        try await waitUntil {
            (try? String(contentsOfFile: pidFile, encoding: .utf8))?.hasSuffix("\n") == true
        }
        let pidText = try String(contentsOfFile: pidFile, encoding: .utf8)
        let milterPID = try #require(Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)))
        child.signal(signal)
        if milterToo { kill(milterPID, signal) }
        let exited = await child.exit(within: .seconds(120))
        let alive = kill(milterPID, 0) == 0
        if alive { kill(milterPID, SIGKILL) }
        let (stdout, stderr) = output()
        let name = signal == SIGINT ? "SIGINT" : "SIGTERM"
        #expect(exited)
        #expect(child.termination == .exited(128 + signal), "\(stdout)\n\(stderr)")
        #expect(!alive, "the started process (pid \(milterPID)) is still running")
        #expect(stderr.contains("interrupted by \(name) while the milter was starting"), "\(stderr)")
        // The JSON summary (conformance's document, pretty-printed or not) marks the run interrupted.
        let json = stdout.filter { !$0.isWhitespace }
        #expect(json.contains(#""interrupted":{"#) && json.contains(#""signal":"\#(name)""#), "\(stdout)")
        if run == .eml {
            #expect(stdout.contains(#""interrupted":{"cut":0,"notStarted":1,"signal":"\#(name)"}"#), "\(stdout)")
            #expect(stderr.contains("interrupted by \(name): 1 messages not sent"), "\(stderr)")
        }
        if run == .eml || run == .pcap { #expect(stdout.contains(#""exitCode":\#(128 + signal)"#), "\(stdout)") }
        if run.writesReport {
            let html = try String(contentsOf: directory.appendingPathComponent("report.html"), encoding: .utf8)
            #expect(html.contains("interrupted by \(name)"), "\(html.prefix(600))")
        }
        if run.writesJUnit {
            let junit = try String(contentsOf: directory.appendingPathComponent("junit.xml"), encoding: .utf8)
            #expect(junit.contains(#"name="interrupted""#), "\(junit.prefix(400))")
        }
    }
}
