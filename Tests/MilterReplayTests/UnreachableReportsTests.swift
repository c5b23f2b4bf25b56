import Foundation
import MilterTestSupport
import Testing

/// A milter that cannot be reached at start (exit 3, one line on standard error) still gets the reports asked for:
/// a JUnit file with one test case in error, a JSON summary with `unreachable`, and an HTML report that says so, so
/// that a CI job finds them and can show why it failed.
struct UnreachableReportsTests {
    static let accept = ReplayBinary.fixture("replay/accept.eml")

    /// The files of a run: JUnit and HTML report paths in a fresh directory.
    struct Files {
        let directory: URL
        var junit: String { directory.appendingPathComponent("report.xml").path }
        var report: String { directory.appendingPathComponent("report.html").path }

        init() throws { directory = try Scratch.makeDirectory("unreachable-reports") }

        func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }
    }

    @Test func anEMLReplayWritesEveryReportWithTheReason() async throws {
        let files = try Files()
        defer { Scratch.remove(files.directory) }
        let port = try FreePort.allocate()
        let reason = "cannot connect to 127.0.0.1:\(port): connection refused"
        let result = try await ReplayBinary.run(
            ["--target", "127.0.0.1:\(port)", "--json", "--junit", files.junit, "--report", files.report, Self.accept])
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr == "milter-replay: \(reason)\n")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 1, "the summary alone: \(result.stdout)")
        let summary = try #require(
            JSONSerialization.jsonObject(with: Data((lines.first ?? "").utf8)) as? [String: Any])
        #expect(summary["type"] as? String == "summary")
        #expect(summary["unreachable"] as? String == reason, "\(summary)")
        #expect(summary["exitCode"] as? Int == 3)
        #expect(summary["messages"] as? Int == 0)
        let xml = try files.read(files.junit)
        #expect(xml.contains("tests=\"1\" failures=\"0\" errors=\"1\""), "\(xml)")
        #expect(
            xml.contains("<error type=\"unreachable\" message=\"the milter could not be reached: \(reason)\"/>"),
            "\(xml)")
        let html = try files.read(files.report)
        #expect(html.contains("<title>milter-replay: the milter could not be reached</title>"), "\(html)")
        #expect(html.contains(reason), "\(html)")
        #expect(html.contains("Content-Security-Policy"), "self-contained, as every report: \(html)")
    }

    /// Without `--json`, standard output stays empty: the line on standard error says it all.
    @Test func withoutJSONStandardOutputStaysEmpty() async throws {
        let files = try Files()
        defer { Scratch.remove(files.directory) }
        let port = try FreePort.allocate()
        let result = try await ReplayBinary.run(["--target", "127.0.0.1:\(port)", "--junit", files.junit, Self.accept])
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stdout.isEmpty, "\(result.stdout)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(try files.read(files.junit).contains("errors=\"1\""))
    }

    @Test func aCaptureReplayWritesItsSummaryAndReport() async throws {
        let files = try Files()
        defer { Scratch.remove(files.directory) }
        let port = try FreePort.allocate()
        let reason = "cannot connect to 127.0.0.1:\(port): connection refused"
        let capture = ReplayBinary.fixture("pcap/postfix-cmilter-any-sll2.pcap")
        let result = try await ReplayBinary.run(
            ["--pcap", capture, "--target", "127.0.0.1:\(port)", "--json", "--report", files.report],
            timeout: .seconds(20))
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr == "milter-replay: \(reason)\n")
        let last = result.stdout.split(separator: "\n").last ?? ""
        let summary = try #require(JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
        #expect(summary["type"] as? String == "summary")
        #expect(summary["unreachable"] as? String == reason, "\(summary)")
        #expect(summary["exitCode"] as? Int == 3)
        let html = try files.read(files.report)
        #expect(html.contains("milter-replay --pcap: the milter could not be reached"), "\(html)")
        #expect(html.contains("no session was replayed"), "\(html)")
    }

    @Test func conformanceWritesItsDocumentJUnitAndReport() async throws {
        let files = try Files()
        defer { Scratch.remove(files.directory) }
        let port = try FreePort.allocate()
        let result = try await ReplayBinary.run(
            [
                "conformance", "--target", "127.0.0.1:\(port)", "--json", "--junit", files.junit, "--report",
                files.report,
            ])
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("connection refused"), "\(result.stderr)")
        let document = try #require(
            JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)")
        #expect((document["unreachable"] as? String)?.contains("connection refused") == true, "\(document)")
        #expect((document["cases"] as? [Any])?.isEmpty == true)
        #expect((document["summary"] as? [String: Any])?["cases"] as? Int == 0)
        let xml = try files.read(files.junit)
        #expect(xml.contains("<testsuite name=\"milter-replay conformance\" tests=\"1\" failures=\"0\" errors=\"1\""))
        #expect(xml.contains("connection refused"), "\(xml)")
        let html = try files.read(files.report)
        #expect(html.contains("milter-replay conformance: the milter could not be reached"), "\(html)")
    }

    /// A target that accepts and never answers: no case can be judged, and the reports say why.
    @Test func conformanceAgainstASilentTargetSaysNoCaseCanBeJudged() async throws {
        let files = try Files()
        defer { Scratch.remove(files.directory) }
        let milter = try await ScriptedMilter { _ in [] }
        let result = try await ReplayBinary.run(
            ["conformance", "--target", "127.0.0.1:\(milter.port)", "--timeout", "0.5", "--junit", files.junit],
            timeout: .seconds(60))
        await milter.stop(grace: .zero)
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("did not answer OPTNEG"), "\(result.stderr)")
        let xml = try files.read(files.junit)
        #expect(xml.contains("no case can be judged: the milter did not answer OPTNEG"), "\(xml)")
    }

    /// A milter that `--start` could not start: the reports say so, with the reason, in every mode.
    @Test func aMilterThatDidNotStartGetsItsReports() async throws {
        let files = try Files()
        defer { Scratch.remove(files.directory) }
        let port = try FreePort.allocate()
        let start = ["--target", "127.0.0.1:\(port)", "--start", "sh -c 'exit 7'"]
        let replay = try await ReplayBinary.run(start + ["--json", "--junit", files.junit, Self.accept])
        #expect(replay.status == 3, "\(replay.stderr)")
        #expect(
            replay.stdout.contains("\"unreachable\":\"--start: the milter exited with status 7"), "\(replay.stdout)")
        let xml = try files.read(files.junit)
        #expect(xml.contains("message=\"the milter did not start: --start: the milter exited with status 7"), "\(xml)")

        let scenario = TestPaths.root.appendingPathComponent("Examples/scenarios/reference-milter.yaml").path
        let scenarios = try await ReplayBinary.run(["scenario", scenario, "--junit", files.junit] + start)
        #expect(scenarios.status == 3, "\(scenarios.stderr)")
        #expect(scenarios.stdout.isEmpty, "standard error says why: \(scenarios.stdout)")
        let scenarioXML = try files.read(files.junit)
        #expect(scenarioXML.contains("tests=\"5\" failures=\"0\" errors=\"5\""), "\(scenarioXML)")
        #expect(scenarioXML.contains("the milter did not start: --start: the milter exited with status 7"))

        let conformance = try await ReplayBinary.run(["conformance", "--report", files.report] + start)
        #expect(conformance.status == 3, "\(conformance.stderr)")
        let html = try files.read(files.report)
        #expect(html.contains("milter-replay conformance: the milter did not start"), "\(html)")
    }

    /// `merge` keeps the reason of a run that never reached the milter, and the combined exit code is 3.
    @Test func mergeKeepsTheReasonAndExitsThree() async throws {
        let files = try Files()
        defer { Scratch.remove(files.directory) }
        let port = try FreePort.allocate()
        let unreachable = try await ReplayBinary.run(["--target", "127.0.0.1:\(port)", "--json", Self.accept])
        let reached = try await ReplayBinary.run(["--json", "--quiet", Self.accept])
        #expect(reached.status == 0, "\(reached.stderr)")
        let first = files.directory.appendingPathComponent("a.json")
        let second = files.directory.appendingPathComponent("b.json")
        try unreachable.stdout.write(to: first, atomically: false, encoding: .utf8)
        try reached.stdout.write(to: second, atomically: false, encoding: .utf8)
        let merged = try await ReplayBinary.run(["merge", "--json", first.path, second.path])
        #expect(merged.status == 3, "\(merged.stdout)\(merged.stderr)")
        #expect(merged.stdout.contains("\"unreachable\":\"cannot connect to 127.0.0.1:\(port)"), "\(merged.stdout)")
        #expect(merged.stdout.contains("\"messages\":1"), "\(merged.stdout)")
    }
}
