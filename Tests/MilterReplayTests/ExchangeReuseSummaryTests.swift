import Foundation
import MilterTestSupport
import Testing

/// The summary says how much of a load run was sent from a record: the rate of a run that
/// replays exchanges already judged must not be read as if every message had been judged anew.
struct ExchangeReuseSummaryTests {
    static func run(_ extra: [String]) async throws -> (milter: ScriptedMilter, result: ProcessResult) {
        let milter = try await ScriptedMilter(script: Scripts.wellBehaved())
        let result = try await ReplayBinary.run(
            [
                "--target", "127.0.0.1:\(milter.port)", "--connections", "1", "--messages-per-connection", "4",
                "--repeat", "12", "--quiet", ReplayBinary.fixture("replay/accept.eml"),
            ] + extra)
        await milter.stop()
        return (milter, result)
    }

    /// 3 connections of 4 messages: the first records its greeting and its first 2 transactions
    /// (after HELO, and after a transaction), and sends its other 2 from the record; the other two
    /// connections send all of theirs from the record.
    @Test func theTextSummarySaysWhatWasSentFromARecord() async throws {
        let (_, result) = try await Self.run([])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(
            result.stdout.contains(
                "sent from a record: 10 transactions, 2 connections' own steps (0 and 0 answered otherwise, judged by the state machine)"
            ), "\(result.stdout)")
    }

    @Test func theJSONSummaryCarriesTheCounts() async throws {
        let (_, result) = try await Self.run(["--json"])
        let last = try #require(result.stdout.split(separator: "\n").last)
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
        let reuse = try #require(summary["exchangeReuse"] as? [String: Int], "\(last)")
        #expect(
            reuse == [
                "transactionsReused": 10, "transactionsDiverged": 0, "greetingsReused": 2, "greetingsDiverged": 0,
            ])
    }

    /// A run of one message sends nothing from a record: no line of zeros.
    @Test func noLineWhenNothingWasSentFromARecord() async throws {
        let milter = try await ScriptedMilter(script: Scripts.wellBehaved())
        let result = try await ReplayBinary.run([
            "--target", "127.0.0.1:\(milter.port)", "--quiet", ReplayBinary.fixture("replay/accept.eml"),
        ])
        await milter.stop()
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(!result.stdout.contains("sent from a record"), "\(result.stdout)")
    }

    /// Without reuse, or with event loop threads (which never send from a record), no such line.
    @Test(arguments: [["--no-exchange-reuse"], ["--threads", "1"]])
    func noLineWithoutReuse(_ extra: [String]) async throws {
        let (_, result) = try await Self.run(extra)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(!result.stdout.contains("sent from a record"), "\(result.stdout)")
    }
}
