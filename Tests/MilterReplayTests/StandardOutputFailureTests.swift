import Foundation
import MilterTestSupport
import Testing

/// Output that cannot be written (`> /dev/full`, a reader gone) is said on standard error, exit 2, in every mode:
/// it was dropped, and the run exited 0 with nothing written. A reader gone stops the run.
@Suite(.enabled(if: FileManager.default.fileExists(atPath: "/dev/full")))
struct StandardOutputFailureTests {
    /// `milter-replay ARGUMENTS > /dev/full`.
    private static func runIntoFullDevice(_ arguments: [String]) async throws -> ProcessResult {
        try await ProcessRunner.run(
            "/bin/sh", ["-c", #"exec "$0" "$@" > /dev/full"#, TestPaths.builtProduct("milter-replay")] + arguments,
            timeout: .seconds(120))
    }

    private static let full = "milter-replay: cannot write to standard output: No space left on device\n"

    @Test(arguments: [
        ["--json", "--quiet", "fixtures/eml"], ["fixtures/eml/plain-ascii.eml"],
        ["--pcap", "fixtures/pcap/postfix-cmilter-lo.pcap", "--dump"],
        ["conformance", "--only", "frame", "--json"],
        ["scenario", "Examples/scenarios/reference-milter.yaml", "--json"],
    ])
    func aFullDiskIsSaidAndExitsTwo(_ arguments: [String]) async throws {
        let paths = arguments.map { $0.contains("/") ? TestPaths.root.appendingPathComponent($0).path : $0 }
        let result = try await Self.runIntoFullDevice(paths)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.hasSuffix(Self.full), "\(result.stderr)")
        #expect(result.stderr.components(separatedBy: "cannot write").count == 2, "said once: \(result.stderr)")
    }

    @Test func mergeIntoAFullDiskIsSaid() async throws {
        let directory = try Scratch.makeDirectory("stdout-full-merge")
        defer { Scratch.remove(directory) }
        let summary = directory.appendingPathComponent("a.json")
        let run = try await ReplayBinary.run(["--json", "--quiet", ReplayBinary.fixture("eml/plain-ascii.eml")])
        try run.stdout.write(to: summary, atomically: true, encoding: .utf8)
        let result = try await Self.runIntoFullDevice(["merge", summary.path])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr == Self.full, "\(result.stderr)")
    }

    /// `milter-replay --repeat 20 fixtures/eml | head -1`: the run stops once the rows cannot go out (the JUnit
    /// report, written all the same, holds far fewer than the 1120 messages asked), one line on standard error,
    /// exit 2; it sent them all into the closed pipe and exited 0.
    @Test func aReaderGoneStopsTheRun() async throws {
        let directory = try Scratch.makeDirectory("stdout-epipe")
        defer { Scratch.remove(directory) }
        let junit = directory.appendingPathComponent("junit.xml").path
        let result = try await ProcessRunner.run(
            "/bin/bash",
            [
                "-c", #""$0" "$@" | head -1 > /dev/null; exit "${PIPESTATUS[0]}""#,
                TestPaths.builtProduct("milter-replay"), "--repeat", "20", "--junit", junit,
                ReplayBinary.fixture("eml"),
            ], timeout: .seconds(300))
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr == "milter-replay: cannot write to standard output: Broken pipe\n", "\(result.stderr)")
        let report = try String(contentsOfFile: junit, encoding: .utf8)
        let cases = report.components(separatedBy: "<testcase ").count - 1
        #expect(cases > 0 && cases < 560, "\(cases) messages sent")
    }

    /// `milter-replay --pcap CAPTURE | head -1`, read as it goes or held for `--repeat`: the replay stops starting
    /// sessions once the rows cannot go out, as the .eml replay does (the report counts a few of the 100 or 200
    /// sessions), one line on standard error, exit 2; it replayed the whole capture into the closed pipe first.
    /// The pipe's reader is gone before the run starts, so that no timing decides when the first write fails.
    @Test(arguments: [[], ["--repeat", "2"]])
    func aReaderGoneStopsACaptureReplay(extra: [String]) async throws {
        let directory = try Scratch.makeDirectory("stdout-epipe-pcap")
        defer { Scratch.remove(directory) }
        let report = directory.appendingPathComponent("report.html").path
        let result = try await Self.runIntoClosedPipe(
            ["--pcap", ReplayBinary.fixture("pcap/postfix-load-cmilter.pcap"), "--report", report] + extra,
            in: directory)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr == "milter-replay: cannot write to standard output: Broken pipe\n", "\(result.stderr)")
        let html = try String(contentsOfFile: report, encoding: .utf8)
        let sessions = try #require(html.firstMatch(of: /milter-replay --pcap: ([0-9]+) sessions/)?.1)
        #expect(Int(sessions).map { $0 > 0 && $0 < 50 } == true, "\(sessions) sessions replayed")
    }

    /// `milter-replay ARGUMENTS` with its standard output a pipe whose reader is closed before it starts: its first
    /// write fails with `EPIPE`. Standard error goes to a file in `directory`.
    private static func runIntoClosedPipe(_ arguments: [String], in directory: URL) async throws -> ProcessResult {
        let errors = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        let pipe = Pipe()
        try pipe.fileHandleForReading.close()
        let child = try ChildProcess(
            TestPaths.builtProduct("milter-replay"), arguments, input: FileHandle.nullDevice,
            output: pipe.fileHandleForWriting, errors: try FileHandle(forWritingTo: errors))
        try pipe.fileHandleForWriting.close()
        let exited = try await offPool { child.waitForExit(timeout: .seconds(300)) }
        if !exited { child.killAndReap() }
        try #require(exited, "\(child.commandLine) did not exit")
        return ProcessResult(
            status: child.status, stdout: "", stderr: (try? String(contentsOf: errors, encoding: .utf8)) ?? "")
    }
}
