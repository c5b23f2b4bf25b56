import MilterClient
import MilterReplayKit
import MilterTestSupport
import Testing

/// Sendmail tells the milter nothing at STARTTLS (`srvrsmtp.c`): the ABORT `session.starttls` is about never goes,
/// so the case is not exercised there, as `abort.outside-transaction` is not; Postfix sends the ABORT.
struct StartTLSNotExercisedTests {
    @Test func sessionStartTLSIsNotExercisedUnderSendmail() async throws {
        let sendmail = try await ConformanceHarness.run(
            ["session.starttls"], script: Scripts.wellBehaved(), profile: .sendmail)
        #expect(sendmail.map(\.status.name) == ["not-exercised"], "\(sendmail.map(\.status))")
        #expect(sendmail.first?.status.reason?.contains("no ABORT at STARTTLS") == true)
    }

    @Test func sessionStartTLSPassesUnderPostfix() async throws {
        let postfix = try await ConformanceHarness.run(["session.starttls"], script: Scripts.wellBehaved())
        #expect(postfix.map(\.status) == [.pass], "\(postfix.map(\.status))")
    }
}
