import MilterProtocol
import NIOCore
import Testing

@testable import ReferenceMilter

/// A decision whose reply would be longer than the MTA takes (Postfix drops the connection on a
/// reply over INT_MAX/2) gets the failure verdict instead; the limit is lowered here to test that
/// without allocating a gigabyte.
@Suite struct ReplySizeTests {
    /// A session at end of message, owing its reply.
    private func sessionAtEndOfMessage() throws -> MilterSession {
        var session = MilterSession(requirements: MilterRequirements(actions: [.addHeaders, .quarantine]))
        for command in [Cmd.offer, Cmd.connect, Cmd.helo] + Cmd.message(subject: "x") {
            if case .event(let event, .required) = try session.commandReceived(command), event != Cmd.eom {
                try session.replyWillBeSent(.continue)
            }
        }
        return session
    }

    @Test func theMTAsLimitIsPostfixs() {
        // Postfix: a length field (payload + 1) over INT_MAX / 2 is refused.
        #expect(MilterFrameLimits.mtaReplies.maximumPayloadLength + 1 == Int(Int32.max) / 2)
    }

    @Test(arguments: [
        Decision.accept("big", modifications: [.addHeader(name: "X-Big", value: String(repeating: "v", count: 200))]),
        Decision.quarantine(String(repeating: "q", count: 200)),
    ])
    func aReplyOverTheLimitGetsTheFailureVerdict(decision: Decision) throws {
        var session = try sessionAtEndOfMessage()
        let answer = try EndOfMessageAnswer.answering(
            decision, failureVerdict: .tempfail(nil), session: &session,
            replyLimit: MilterFrameLimits(maximumPayloadLength: 100))
        #expect(answer.replies == [.tempfail])
        #expect(answer.replacement?.code == .frameTooLarge)
        #expect(answer.replacement.map { "\($0)" }?.contains("qqq") == false)
        #expect(answer.replacement.map { "\($0)" }?.contains("vvv") == false)
    }

    @Test func aReplyAtTheLimitIsSent() throws {
        var session = try sessionAtEndOfMessage()
        // The payload is the name, a NUL, the value and a NUL: exactly 100 bytes.
        let value = String(repeating: "v", count: 100 - "X-Big".utf8.count - 2)
        let answer = try EndOfMessageAnswer.answering(
            .accept("big", modifications: [.addHeader(name: "X-Big", value: value)]), failureVerdict: .tempfail(nil),
            session: &session, replyLimit: MilterFrameLimits(maximumPayloadLength: 100))
        #expect(answer.replacement == nil)
        #expect(answer.replies == [.addHeader(HeaderField(name: "X-Big", value: MilterString(value))), .accept])
    }
}
