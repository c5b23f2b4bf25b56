import MilterProtocol
import MilterReplayKit
import Testing

/// `--ignore-header` and `--ignore-reply-text`, one reply at a time.
struct ReplyMaskTests {
    static let mask = ReplyMask(ignoredHeaders: ["DKIM-Signature"], ignoreReplyText: true)
    static let ignored = ReplyMask.placeholder

    static func field(_ name: String, _ value: String) -> HeaderField {
        HeaderField(name: MilterString(name), value: MilterString(value))
    }

    @Test(
        arguments: [
            (
                MilterReply.addHeader(field("dkim-signature", "v=1; b=abc")),
                MilterReply.addHeader(field("dkim-signature", "<ignored>"))
            ),
            (
                .insertHeader(IndexedHeaderField(index: 0, field: field("DKIM-Signature", "b=1"))),
                .insertHeader(IndexedHeaderField(index: 0, field: field("DKIM-Signature", "<ignored>")))
            ),
            (
                .changeHeader(IndexedHeaderField(index: 2, field: field("Dkim-Signature", ""))),
                .changeHeader(IndexedHeaderField(index: 2, field: field("Dkim-Signature", "<ignored>")))
            ),
            (.addHeader(field("X-Spam", "yes")), .addHeader(field("X-Spam", "yes"))),
            (.replyCode("550 5.7.1 rejected by rule 12"), .replyCode("550 5.7.1 <ignored>")),
            (.replyCode("451 try later"), .replyCode("451 <ignored>")),
            (
                .replyCode("550-5.7.1 first\r\n550 5.7.1 second"),
                .replyCode("550-5.7.1 <ignored>\r\n550 5.7.1 <ignored>")
            ),
            // Only the codes are kept: a number, a date or a dash at the start of the text is masked too.
            (.replyCode("550 5.7.1 1 recipient"), .replyCode("550 5.7.1 <ignored>")),
            (.replyCode("550 5.7.1 2 recipients"), .replyCode("550 5.7.1 <ignored>")),
            (.replyCode("451 4.3.0 2024-05-01 12:00 busy"), .replyCode("451 4.3.0 <ignored>")),
            (.replyCode("554 - 12 errors"), .replyCode("554 <ignored>")),
            (.replyCode("550 3.7.1 not an enhanced code"), .replyCode("550 <ignored>")),
            (.replyCode("550 5.7.1234 too long"), .replyCode("550 <ignored>")),
            (.replyCode("550"), .replyCode("550 <ignored>")),
            (.replyCode("no code at all"), .replyCode("<ignored>")),
            (.quarantine("held"), .quarantine("held")),
            (.accept, .accept),
        ])
    func masks(reply: MilterReply, expected: MilterReply) {
        #expect(Self.mask.mask(reply) == expected)
    }

    @Test func nothingIsMaskedByDefault() {
        let replies: [MilterReply] = [.addHeader(Self.field("DKIM-Signature", "b=1")), .replyCode("550 5.7.1 no")]
        #expect(ReplyMask().comparable(replies) == replies)
    }

    @Test func progressIsNeverCompared() {
        #expect(ReplyMask().comparable([.progress, .progress, .accept]) == [.accept])
    }
}
