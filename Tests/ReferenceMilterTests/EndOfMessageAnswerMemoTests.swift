import MilterProtocol
import NIOCore
import Testing

@testable import ReferenceMilter

/// The answer to a decision repeated on a connection is the one built for it before (``EndOfMessageAnswerMemo``).
@Suite struct EndOfMessageAnswerMemoTests {
    private static let tagged = Decision.accept("tag", modifications: [.addHeader(name: "X-Tag", value: "checked")])

    /// A session after negotiation (Postfix's offer, `actions` asked for: header additions), CONNECT and HELO.
    private static func session(actions: MilterActions = [.addHeaders]) throws -> ServerSession {
        var session = ServerSession(needs: ClassifierNeeds(actions: actions), options: ProtocolOptions())
        for command in [Cmd.offer, Cmd.connect, Cmd.helo] { _ = try session.receive(command) }
        return session
    }

    /// Sends a message up to its end and answers it with `decision`.
    private static func answer(_ decision: Decision, in session: inout ServerSession) throws -> EndOfMessageAnswer {
        for command in Cmd.message(subject: "x") { _ = try session.receive(command) }
        return try session.classified(decision)
    }

    private static func address(of frames: ByteBuffer) -> UnsafeRawPointer? {
        frames.withUnsafeReadableBytes { $0.baseAddress }
    }

    @Test func theSameDecisionAgainGetsTheFramesBuiltForItBefore() throws {
        var session = try Self.session()
        let first = try Self.answer(Self.tagged, in: &session)
        _ = try session.receive(.abort)
        let second = try Self.answer(Self.tagged, in: &session)
        #expect(second.replies == [.addHeader(HeaderField(name: "X-Tag", value: " checked")), .accept])
        #expect(second.replies == first.replies)
        #expect(second.frames == first.frames)
        // Not encoded again: the same storage.
        #expect(Self.address(of: second.frames) == Self.address(of: first.frames))
    }

    @Test func anotherDecisionGetsItsOwnAnswer() throws {
        var session = try Self.session()
        _ = try Self.answer(Self.tagged, in: &session)
        _ = try session.receive(.abort)
        let other = Decision.accept("tag", modifications: [.addHeader(name: "X-Tag", value: "other")])
        let answer = try Self.answer(other, in: &session)
        #expect(answer.replies == [.addHeader(HeaderField(name: "X-Tag", value: " other")), .accept])
        #expect(answer.sent == other)
        var expected = ByteBuffer()
        for reply in answer.replies { try expected.writeMilterReply(reply) }
        #expect(answer.frames == expected)
    }

    /// Texts equal as Swift strings but not in bytes (`é` as one code point, then as `e` and a combining accent):
    /// each decision's own bytes go, in its header value, its reply text, its quarantine reason and its reason.
    @Test(
        arguments: [
            { (text: String) in Decision.accept("tag", modifications: [.addHeader(name: "X-Subject", value: text)]) },
            { (text: String) in Decision.reject("tag", client: text) },
            { (text: String) in Decision(.quarantine(text), reason: "tag") },
            { (text: String) in Decision.accept(text, modifications: [.addHeader(name: "X-Tag", value: "checked")]) },
        ] as [@Sendable (String) -> Decision])
    func equivalentTextInOtherBytesGetsItsOwnAnswer(make: @Sendable (String) -> Decision) throws {
        let composed = "caf\u{E9}"
        let decomposed = "cafe\u{301}"
        #expect(composed == decomposed && !composed.utf8.elementsEqual(decomposed.utf8))
        var session = try Self.session(actions: [.addHeaders, .quarantine])
        _ = try Self.answer(make(composed), in: &session)
        _ = try session.receive(.abort)
        let second = try Self.answer(make(decomposed), in: &session)
        #expect(second.sent.hasSameBytes(as: make(decomposed)))
        // What a connection that never saw the first decision sends for the second.
        var fresh = try Self.session(actions: [.addHeaders, .quarantine])
        #expect(second.frames == (try Self.answer(make(decomposed), in: &fresh)).frames)
    }

    @Test func aKeptAnswerIsStillCheckedAgainstTheSequencingRules() throws {
        var session = try Self.session()
        _ = try Self.answer(Self.tagged, in: &session)
        // No end of message since: no reply is owed, and the kept answer is refused like a new one.
        #expect(throws: MilterProtocolError.self) { try session.classified(Self.tagged) }
    }

    @Test func anAnswerThatReplacedTheDecisionIsNotKept() throws {
        var session = try Self.session()
        // A NUL in a header value cannot be sent: the failure verdict goes instead, and the answer says why.
        let unsendable = Decision.accept("nul", modifications: [.addHeader(name: "X-Tag", value: "a\u{0}b")])
        let replaced = try Self.answer(unsendable, in: &session)
        #expect(replaced.replacement != nil)
        _ = try session.receive(.abort)
        // The failure verdict's decision, now the classifier's own, is sent as it is: nothing was replaced.
        let again = try Self.answer(replaced.sent, in: &session)
        #expect(again.sent == replaced.sent)
        #expect(again.replacement == nil)
    }
}
