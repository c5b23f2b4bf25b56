import MilterClient
import MilterProtocol
import MilterReplayKit
import MilterTestSupport
import Testing

/// A `raw` step after a verdict that ended its transaction is not written: the MTA sends nothing more of a message
/// the milter already settled, so `frame.body-chunk-65536`'s BODY frame would test nothing there (and break the
/// protocol). The case is then not exercised, the reason naming the verdict and its step.
struct RawStepAfterVerdictTests {
    private static let caseID = "frame.body-chunk-65536"

    /// The case's result against a milter that answers `reply` to the first command `matches` picks.
    private func result(
        answering reply: MilterReply, where matches: @escaping @Sendable (MilterCommand) -> Bool
    ) async throws -> ConformanceResult {
        let results = try await ConformanceHarness.run(
            [Self.caseID], script: Scripts.wellBehaved { matches($0) ? [.reply(reply)] : nil })
        return try #require(results.first { $0.id == Self.caseID })
    }

    private static func reason(_ verdict: String) -> String {
        "not exercised: the milter's \(verdict) ended the session or transaction before the raw bytes reached the milter"
    }

    @Test func anAcceptAtEndOfHeadersKeepsTheBodyFrameBack() async throws {
        let result = try await result(answering: .accept) { $0.id == .endOfHeaders }
        #expect(result.status == .notExercised(Self.reason("accept at EOH")), "\(result.status)")
    }

    @Test func anAcceptAtAHeaderKeepsTheBodyFrameBack() async throws {
        let result = try await result(answering: .accept) { $0.id == .header }
        #expect(result.status == .notExercised(Self.reason("accept at HEADER")), "\(result.status)")
    }

    /// The only recipient refused: the MTA sends no DATA, header or BODY either.
    @Test func aRejectAtTheOnlyRecipientKeepsTheBodyFrameBack() async throws {
        let result = try await result(answering: .reject) { $0.id == .recipient }
        #expect(result.status == .notExercised(Self.reason("reject at RCPT")), "\(result.status)")
    }

    /// A milter that answers CONTINUE throughout still gets the frame, and is judged on it.
    @Test func aMilterStillInTheMessageGetsTheBodyFrame() async throws {
        let result = try await result(answering: .continue) { _ in false }
        #expect(result.status.name != "not-exercised", "\(result.status)")
    }

    /// A milter that asks for no body (SMFIP_NOBODY) gets no BODY frame from any MTA: the case does not apply.
    @Test func aMilterThatAsksForNoBodyIsNotSentTheBodyFrame() async throws {
        let results = try await ConformanceHarness.run(
            [Self.caseID], script: Scripts.wellBehaved(answer: Scripts.answer(flags: [.noBody])))
        let result = try #require(results.first { $0.id == Self.caseID })
        #expect(result.status == .skip("the milter asks for no body (NOBODY): no MTA sends it a BODY frame"))
    }
}
