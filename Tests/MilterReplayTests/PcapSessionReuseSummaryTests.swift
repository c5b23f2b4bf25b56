import Foundation
import MilterTestSupport
import Testing

/// The capture replay's summary says how many sessions were sent from their first replay's
/// recording (`--repeat`), as the load run's says how many transactions were.
struct PcapSessionReuseSummaryTests {
    static func run(_ extra: [String]) async throws -> ProcessResult {
        let milter = try await ScriptedMilter(script: Scripts.wellBehaved())
        let result = try await ReplayBinary.run(
            [
                "--pcap", ReplayBinary.fixture("pcap/postfix-cmilter-lo.pcap"), "--target",
                "127.0.0.1:\(milter.port)", "--connections", "1", "--quiet",
            ] + extra,
            // A second alone; two CI runs on a machine with a load of 13 timed all four out at 30 s at once.
            timeout: .seconds(120))
        await milter.stop()
        return result
    }

    /// 4 sessions three times on one connection: the first round records each, the other two send them
    /// from their recordings. (With more connections a session may start again before its first replay
    /// ended, and then goes through the machine.)
    @Test func theTextSummarySaysWhatWasSentFromARecord() async throws {
        let result = try await Self.run(["--repeat", "3"])
        #expect(
            result.stdout.contains(
                "sent from a record: 8 sessions (0 answered otherwise, judged by the state machine)"),
            "\(result.stdout)\(result.stderr)")
    }

    @Test func theJSONSummaryCarriesTheCounts() async throws {
        let result = try await Self.run(["--repeat", "3", "--json"])
        let last = try #require(result.stdout.split(separator: "\n").last)
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
        let reuse = try #require(summary["sessionReuse"] as? [String: Int], "\(last)")
        #expect(reuse == ["sessionsReused": 8, "sessionsDiverged": 0])
        #expect(summary["sessions"] as? Int == 12)
    }

    @Test func theHTMLReportSaysItToo() async throws {
        let directory = try Scratch.makeDirectory("pcap-session-reuse-report")
        defer { Scratch.remove(directory) }
        let report = directory.appendingPathComponent("pcap.html").path
        _ = try await Self.run(["--repeat", "3", "--report", report])
        let html = try String(contentsOfFile: report, encoding: .utf8)
        #expect(
            html.contains(
                "sent from a record</th><td>8 sessions (0 answered otherwise, judged by the state machine)</td>"))
    }

    /// Without reuse, or replayed once as it is read, no such line.
    @Test(arguments: [["--repeat", "3", "--no-exchange-reuse"], []])
    func noLineWithoutReuse(_ extra: [String]) async throws {
        let result = try await Self.run(extra)
        #expect(result.stdout.contains("sessions: "), "\(result.stdout)\(result.stderr)")
        #expect(!result.stdout.contains("sent from a record"), "\(result.stdout)")
    }
}
