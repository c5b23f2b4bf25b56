import MilterProtocol
import MilterReplayKit
import MilterTestSupport
import Testing

/// A case whose command the MTA never sent because the milter itself asked for the command's NO flag tested
/// nothing: it is not exercised, with the flag as the reason, unless the case is about that very flag.
struct NoFlagNotExercisedTests {
    private func run(_ only: [String], asking flags: MilterProtocolFlags) async throws -> [ConformanceResult] {
        try await ConformanceHarness.run(only, script: Scripts.wellBehaved(answer: Scripts.answer(flags: flags)))
    }

    private func reasons(_ results: [ConformanceResult]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: results.map { ($0.id, "\($0.status.name): \($0.status.reason ?? "")") })
    }

    @Test func aMilterAskingNOUNKNOWNAndNOEOHDoesNotPassTheCasesAboutThem() async throws {
        let results = try await run(["unknown", "header.none"], asking: [.noUnknown, .noEndOfHeaders, .noData])
        let shown = reasons(results)
        #expect(results.count == 3)
        #expect(
            shown["unknown.command"] == "not-exercised: not exercised: the milter asked NOUNKNOWN: no UNKNOWN was sent")
        #expect(
            shown["unknown.mid-transaction"]
                == "not-exercised: not exercised: the milter asked NOUNKNOWN: no UNKNOWN was sent")
        #expect(shown["header.none"] == "not-exercised: not exercised: the milter asked NOEOH: no EOH was sent")
        #expect(results.filter(\.failsRun).isEmpty)
    }

    @Test func aMilterAskingNOCONNECTDoesNotPassTheConnectCases() async throws {
        let results = try await run(
            ["connect", "session.helo-twice"], asking: [.noConnect, .noHelo])
        let exercised = results.filter { $0.status.name != "not-exercised" }
        #expect(exercised.isEmpty, "\(reasons(results))")
        let shown = reasons(results)
        #expect(
            shown["connect.ipv4"] == "not-exercised: not exercised: the milter asked NOCONNECT: no CONNECT was sent")
        #expect(
            shown["session.helo-twice"] == "not-exercised: not exercised: the milter asked NOHELO: no HELO was sent")
    }

    /// NOHELO keeps HELO back but not its MACRO packet (Postfix and Sendmail send a stage's macros first): the
    /// case about that packet is judged, the one about HELO itself is not exercised.
    @Test func aMilterAskingNOHELOStillGetsTheEmptyMacroPacketOfHELO() async throws {
        let results = try await run(["macro.empty-packet", "session.helo-twice"], asking: [.noHelo])
        let shown = reasons(results)
        #expect(shown["macro.empty-packet"] == "pass: ", "\(shown)")
        #expect(
            shown["session.helo-twice"] == "not-exercised: not exercised: the milter asked NOHELO: no HELO was sent")
    }

    /// A verdict that keeps HELO back keeps its MACRO packet too: the case about that packet is not exercised.
    @Test func aRejectAtConnectLeavesTheEmptyMacroPacketCaseNotExercised() async throws {
        let script = Scripts.wellBehaved { $0.id == .connect ? [.reply(.reject)] : nil }
        let results = try await ConformanceHarness.run(["macro.empty-packet"], script: script)
        #expect(results.map(\.status.name) == ["not-exercised"], "\(reasons(results))")
    }

    /// A case about the flag itself, and a case whose subject still went, are judged as before.
    @Test func theCasesAboutTheFlagAndTheOthersStillPass() async throws {
        let results = try await run(
            ["event.unknown-no", "event.connect-no", "frame.length-zero", "session.null-sender", "macro.no-reply"],
            asking: [.noConnect, .noUnknown])
        #expect(results.count == 5)
        #expect(results.allSatisfy { $0.status == .pass }, "\(reasons(results))")
    }

    /// BODY chunks after a SKIP reply are not sent either, but the agreement sends BODY: the case ran.
    @Test func aSkipReplyIsNoNOFlag() async throws {
        let script = Scripts.wellBehaved(answer: Scripts.answer(flags: .skip)) {
            $0.id == .body ? [.reply(.skip)] : nil
        }
        let results = try await ConformanceHarness.run(["body.over-64k"], script: script)
        #expect(results.map(\.status.name) == ["pass"], "\(reasons(results))")
    }
}
