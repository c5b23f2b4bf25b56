import MilterClient
import MilterProtocol

extension Catalogue {
    static let sessionCases: [ConformanceCase] = [
        sessionCase(
            "session.three-messages", "Three messages on one connection; state resets between them.",
            source: Source.pitfall(2) + "; " + Source.milter8 + " (one milter connection per SMTP connection)"
        ) { builder in
            builder.message() + builder.message() + builder.message()
        },
        sessionCase(
            "session.fifty-recipients", "One message to 50 recipients, each RCPT answered.", source: Source.engine
        ) { builder in
            builder.message(recipients: (1...50).map { "user\($0)@example.org" })
        },
        sessionCase(
            "session.esmtp-arguments", "MAIL and RCPT with ESMTP arguments, each its own string.",
            source: "PROTOCOL.md §B (MAIL/RCPT are str[]); " + Source.milter8
        ) { builder in
            [
                builder.mail(arguments: ["SIZE=1024", "BODY=8BITMIME"]),
                builder.recipient(arguments: ["NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;bob@example.org"]),
            ] + Array(builder.message().drop(while: { $0.commandID == .mail || $0.commandID == .recipient }))
        },
        sessionCase(
            "session.null-sender", "A bounce: MAIL FROM:<>.", source: "RFC 5321 §4.5.5; " + Source.milter8
        ) { builder in
            [.send(.mail(EnvelopeAddress(address: "<>")), macros: builder.macros.mail(""))]
                + Array(builder.message().dropFirst())
        },
        sessionCase(
            "session.helo-twice", "HELO again on the same connection (after STARTTLS), then a message.",
            source: Source.milter8 + " (milter8_helo for every HELO/EHLO)"
        ) { builder in
            [builder.helo("client.example.test")] + builder.message()
        },
        ConformanceCase(
            "session.quit-nc-reuse", .should,
            "QUIT_NC after end of message, then CONNECT without a new OPTNEG: the connection serves a second SMTP session.",
            // should, not must: no MTA in use sends QUIT_NC (Postfix never does), and libmilter drops QUIT_NC and the
            // CONNECT after it once the milter accepted the message (its ACCEPT puts it back in the HELO state).
            source: Source.pitfall(17) + "; libmilter engine.c (ST_Q_NC follows end of message, then CONNECT)",
            applies: quitNCApplies
        ) { context in
            let builder = CaseBuilder(context)
            return builder.session(
                messageWithoutAbort(builder) + [.send(.quitNewConnection, macros: [])] + builder.opening
                    + builder.message(),
                check: lastMessageAnswered)
        },
        ConformanceCase(
            "session.quit-nc-twice", .should, "Three SMTP sessions on one milter connection, joined by QUIT_NC.",
            source: Source.pitfall(17), applies: quitNCApplies
        ) { context in
            let builder = CaseBuilder(context)
            let again: [CaseStep] = [.send(.quitNewConnection, macros: [])] + builder.opening
            let message = messageWithoutAbort(builder)
            return builder.session(message + again + message + again + message, check: lastMessageAnswered)
        },
        ConformanceCase(
            "session.eof-without-quit", .must,
            "Postfix closes the socket without QUIT (after a connection-level verdict); the milter still serves.",
            source: Source.pitfall(5) + "; " + Source.milter8
        ) { context in
            let builder = CaseBuilder(context)
            return builder.session(builder.message() + [.closeWithoutQuit, .reconnect])
        },
        ConformanceCase(
            "session.quit-no-reply", .must, "QUIT gets no reply; the milter closes the connection.",
            source: Source.pitfall(1) + "; libmilter mfdef.h (SMFIC_QUIT)"
        ) { context in
            let builder = CaseBuilder(context)
            return builder.session(builder.message())
        },
        ConformanceCase(
            "session.replies-within-timeouts", .must,
            "Every reply comes within the MTA's timeouts (Postfix 30 s per command, 300 s for content; Sendmail 10 s, 5 min).",
            source: Source.milter8
                + " (milter_command_timeout, milter_content_timeout); Sendmail milter.c (T=S:10s;R:10s;E:5m)"
        ) { context in
            let builder = CaseBuilder(context)
            return builder.session(builder.message(body: CaseBuilder.largeBody(count: 200_000)))
        },
    ]

    /// QUIT_NC exists from version 6 on.
    @Sendable private static func quitNCApplies(_ context: CaseContext) -> String? {
        context.asked.version.hasVersion6Features
            ? nil : "the milter speaks version \(context.asked.version): no QUIT_NC"
    }

    /// A message that ends at end of message, as Sendmail (the MTA that sends QUIT_NC) ends it: no ABORT.
    private static func messageWithoutAbort(_ builder: CaseBuilder) -> [CaseStep] {
        var steps = builder.message()
        if steps.last?.commandID == .abort { steps.removeLast() }
        return steps
    }

    private static func sessionCase(
        _ id: String, _ summary: String, source: String, steps: @escaping @Sendable (CaseBuilder) -> [CaseStep]
    ) -> ConformanceCase {
        ConformanceCase(id, .must, summary, source: source) { context in
            let builder = CaseBuilder(context)
            return builder.session(steps(builder), check: lastMessageAnswered)
        }
    }
}

extension CaseStep {
    /// The command a `send` step sends.
    package var commandID: MilterCommand.ID? {
        if case .send(let command, _) = self { return command.id }
        return nil
    }
}
