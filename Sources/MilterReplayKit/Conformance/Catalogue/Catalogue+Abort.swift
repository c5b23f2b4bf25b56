import MilterClient
import MilterProtocol

extension Catalogue {
    static let abortCases: [ConformanceCase] = [
        abortCase(
            "abort.no-reply", "ABORT after end of message gets no reply: nothing arrives in the 300 ms after it.",
            source: Source.pitfall(1) + "; libmilter mfdef.h (SMFIC_ABORT has no reply)"
        ) { builder in
            builder.message() + [builder.abort, .listen(.milliseconds(300))] + builder.message()
        },
        abortCase(
            "abort.after-every-message",
            "Postfix's ABORT after a delivered message resets the transaction; a second message follows.",
            source: Source.pitfall(2) + "; " + Source.milter8 + " (milter8_abort after every transaction)"
        ) { builder in
            builder.message() + [builder.abort] + builder.message() + [builder.abort]
        },
        abortCase(
            "abort.double", "Two ABORTs in a row (Postfix sometimes sends them) are taken without a reply.",
            source: Source.pitfall(2) + "; " + Source.milter8
        ) { builder in
            builder.message() + [builder.abort, builder.abort, .listen(.milliseconds(300))] + builder.message()
        },
        abortCase(
            "abort.after-mail", "ABORT after MAIL (an SMTP RSET), then a whole message.",
            source: Source.engine + " (ABORT from any transaction state)"
        ) { builder in
            [builder.mail(), builder.abort] + builder.message()
        },
        abortCase(
            "abort.after-rcpt", "ABORT after RCPT, then a whole message.", source: Source.engine
        ) { builder in
            [builder.mail(), builder.recipient(), builder.abort] + builder.message()
        },
        abortCase(
            "abort.mid-headers", "ABORT after two of five headers, then a whole message.", source: Source.engine
        ) { builder in
            [builder.mail(), builder.recipient(), builder.data] + Array(builder.headers.prefix(2)) + [builder.abort]
                + builder.message()
        },
        abortCase(
            "abort.mid-body", "ABORT after the first of three body chunks, then a whole message.",
            source: Source.engine
        ) { builder in
            let body = builder.body(CaseBuilder.largeBody(count: 150_000))
            return [builder.mail(), builder.recipient(), builder.data] + builder.headers + [builder.endOfHeaders]
                + [body[0], builder.abort] + builder.message()
        },
        abortCase(
            "abort.before-eom", "ABORT after the whole body, before end of message, then a whole message.",
            source: Source.engine
        ) { builder in
            [builder.mail(), builder.recipient(), builder.data] + builder.headers + [builder.endOfHeaders]
                + builder.body(CaseBuilder.standardBody) + [builder.abort] + builder.message()
        },
        abortCase(
            "abort.outside-transaction", "ABORT between transactions (after HELO) is taken without a reply.",
            source: Source.milter8 + " (an ABORT after a refused MAIL comes outside any transaction)"
        ) { builder in
            [builder.abort, .listen(.milliseconds(300))] + builder.message()
        },
    ]

    private static func abortCase(
        _ id: String, _ summary: String, source: String, steps: @escaping @Sendable (CaseBuilder) -> [CaseStep]
    ) -> ConformanceCase {
        ConformanceCase(id, .must, summary, source: source) { context in
            let builder = CaseBuilder(context)
            return builder.session(steps(builder), check: lastMessageAnswered)
        }
    }

    /// The last end of message was sent and got the milter's final reply: the stream was still in step.
    @Sendable static func lastMessageAnswered(_ trace: SessionTrace) -> String? {
        guard let last = trace.records.last(where: { $0.command == .endOfMessage }) else { return nil }
        if last.delivery == .notSent { return nil }  // the milter ended the transaction earlier: its right
        return last.finalReply == nil ? "the last end of message got no final reply" : nil
    }
}

extension CaseBuilder {
    /// `count` bytes of text in 76-character lines.
    package static func largeBody(count: Int) -> [UInt8] {
        let line = Array("The quick brown fox jumps over the lazy dog. 0123456789 abcdefghijklmnopqr\r\n".utf8)
        var body: [UInt8] = []
        body.reserveCapacity(count)
        while body.count < count { body += line }
        return Array(body.prefix(count))
    }
}
