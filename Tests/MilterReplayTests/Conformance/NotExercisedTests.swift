import Foundation
import MilterClient
import MilterProtocol
import MilterReplayKit
import MilterTestSupport
import Testing

/// A case whose commands an earlier verdict kept from the milter tested nothing: it is reported as not
/// exercised, neither a pass nor a failure, and counted apart in every report.
struct NotExercisedTests {
    private func run(_ only: [String], script: @escaping ScriptedMilter.Script) async throws -> [ConformanceResult] {
        try await ConformanceHarness.run(only, script: script)
    }

    private static func rejecting(at id: MilterCommand.ID) -> ScriptedMilter.Script {
        Scripts.wellBehaved { $0.id == id ? [.reply(.reject)] : nil }
    }

    @Test func aMilterRejectingAtConnectPassesAndFailsNothing() async throws {
        let results = try await run(
            ["body", "header", "abort", "frame.unknown-command", "frame.body-chunk-65536"],
            script: Self.rejecting(at: .connect))
        let exercised = results.filter { $0.status == .pass || $0.status.name == "fail" }
        #expect(exercised.isEmpty, "\(exercised.map { ($0.id, $0.status) })")
        let notExercised = results.filter { $0.status.name == "not-exercised" }
        #expect(notExercised.count >= 5)
        for id in ["frame.unknown-command", "frame.body-chunk-65536"] {
            let reason = results.first { $0.id == id }?.status.reason ?? ""
            #expect(reason.hasPrefix("not exercised: the milter's reject at CONNECT"), "\(id): \(reason)")
        }
        #expect(results.filter(\.failsRun).isEmpty)
    }

    @Test func aMilterRejectingAtMailDoesNotPassTheHeaderCases() async throws {
        let results = try await run(["header"], script: Self.rejecting(at: .mail))
        let passed = results.filter { $0.status == .pass }
        #expect(passed.isEmpty, "\(results.map { ($0.id, $0.status) })")
        let reasons = results.compactMap { result in
            if case .notExercised(let reason) = result.status { reason } else { nil }
        }
        #expect(!reasons.isEmpty)
        #expect(reasons.allSatisfy { $0.contains("reject at MAIL") }, "\(reasons)")
    }

    /// A well-behaved milter still passes: every command reached it.
    @Test func aWellBehavedMilterIsExercised() async throws {
        let results = try await run(["header"], script: Scripts.wellBehaved())
        let passed = results.filter { $0.status == .pass }
        #expect(!passed.isEmpty)
        #expect(!results.contains { $0.status.name == "not-exercised" })
    }

    @Test func theReportsCountCasesNotExercisedApart() throws {
        let testCase = try #require(Catalogue.all.first)
        let results = [
            ConformanceResult(testCase, status: .pass, seconds: 0),
            ConformanceResult(testCase, status: .skip("needs NR_HDR"), seconds: 0),
            ConformanceResult(testCase, status: .notExercised("not exercised: the milter's reject"), seconds: 0),
        ]
        let text = ConformanceTable.text(results, asked: "x")
        #expect(text.contains("3 cases: 1 pass, 0 fail (0 must), 1 skip, 1 not exercised"))
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(ConformanceJSON.document(results, asked: "x").utf8))
                as? [String: Any])
        let summary = try #require(json["summary"] as? [String: Any])
        #expect(summary["notExercised"] as? Int == 1)
        #expect(summary["skip"] as? Int == 1)
        let statuses = (json["cases"] as? [[String: Any]])?.compactMap { $0["status"] as? String }
        #expect(statuses == ["pass", "skip", "not-exercised"])
        let junit = ConformanceJUnit.document(results)
        #expect(junit.contains("failures=\"0\" skipped=\"2\""))
        #expect(junit.contains("<skipped message=\"not exercised: the milter's reject\"/>"))
    }
}
