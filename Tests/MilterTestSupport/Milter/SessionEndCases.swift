import MilterProtocol

/// SMTP sessions that end in different ways, with what Postfix 3.7.11 sends the milter in each: played through
/// the real Postfix and through MilterClient's Postfix profile (InteropTests `PostfixHeloResetTests`), and by the
/// profile alone on the simulated transport (MilterClientTests `PostfixHeloResetTests`). InteropTests
/// `SendmailSessionEndTests` plays the same sessions through Sendmail and its profile, ``events`` aside.
///
/// The events follow `smtpd.c` and `milter8.c`. After each transaction `mail_reset` sends ABORT (it set
/// `SMTPD_FLAG_NEED_MILTER_ABORT` at MAIL). At the end of the session `smtpd_proto` calls `helo_reset`, which, once
/// the session had a HELO, calls `milter_abort`: `milter8_abort` writes one more ABORT to a milter in the states
/// `ENVELOPE`, `MESSAGE` or `ACCEPT_MSG`. Then `mail_reset` (an ABORT only inside a transaction) and
/// `milter_disc_event` (QUIT); a session that ends inside a transaction so gets two ABORTs before QUIT. A second HELO goes to the milter (`milter8_helo_event`) before its `helo_reset`, so
/// its ABORT follows it. ACCEPT, REJECT or TEMPFAIL at CONNECT or HELO leave the milter in `ACCEPT_CON` or
/// `REJECT_CON` with its socket closed (`LIBMILTER_AUTO_DISCONNECT`): neither ABORT nor QUIT follows. SKIP at MAIL
/// only skips the next MAIL events (`skip_event_type`); ACCEPT at MAIL leaves `ACCEPT_MSG` until `mail_reset`'s
/// ABORT. RSET between messages sends nothing: the transaction's ABORT went already.
package struct SessionEndCase: Sendable, CustomStringConvertible {
    /// One SMTP command, or a whole message.
    package enum Step: Sendable, Hashable {
        /// EHLO with this name.
        case helo(String)
        /// MAIL, RCPT, DATA and the message: from `<a@example.com>` to `<b@example.org>`, `Subject: hi`.
        case message
        /// RSET.
        case reset
        /// MAIL from `<a@example.com>` and RCPT to `<b@example.org>`, and no more: the session ends inside the
        /// transaction.
        case envelope
    }

    /// A verdict the milter gives at every command of a kind, as a test argument.
    package struct Verdict: Sendable, Hashable, CustomStringConvertible {
        /// The kind of command.
        package var step: MilterCommand.ID
        /// The milter's reply.
        package var reply: MilterReply

        /// A verdict.
        package init(_ step: MilterCommand.ID, _ reply: MilterReply) {
            self.step = step
            self.reply = reply
        }

        /// `REJECT at HELO`.
        package var description: String { "\(reply) at \(step)" }
    }

    /// What the case shows.
    package var description: String
    /// The step whose every command the milter answers with the action, if any; CONTINUE otherwise.
    package var verdict: (step: MilterCommand.ID, action: ScriptedMilter.Action)?
    /// The session after the connection: each step in order, then QUIT.
    package var steps: [Step]
    /// The milter's events after OPTNEG, runs of HEADER and of BODY as one (``collapsed(_:)``).
    package var events: [MilterCommand.ID]

    /// A case.
    package init(
        description: String, verdict: (step: MilterCommand.ID, action: ScriptedMilter.Action)? = nil, steps: [Step],
        events: [MilterCommand.ID]
    ) {
        self.description = description
        self.verdict = verdict
        self.steps = steps
        self.events = events
    }

    /// The events of one message that the milter continues.
    package static let message: [MilterCommand.ID] = [
        .mail, .recipient, .data, .header, .endOfHeaders, .body, .endOfMessage,
    ]

    /// `events` with OPTNEG left out and each run of HEADER or BODY made one: the two MTAs' messages differ in
    /// their header fields.
    package static func collapsed(_ events: [MilterCommand.ID]) -> [MilterCommand.ID] {
        var result: [MilterCommand.ID] = []
        for event in events where event != .optionNegotiation {
            if event == .header || event == .body, result.last == event { continue }
            result.append(event)
        }
        return result
    }

    /// The cases.
    package static let all: [SessionEndCase] = [
        SessionEndCase(
            description: "HELO, QUIT", steps: [.helo("client.example")],
            events: [.connect, .helo, .abort, .quit]),
        SessionEndCase(
            description: "an accepted message", steps: [.helo("client.example"), .message],
            events: [.connect, .helo] + message + [.abort, .abort, .quit]),
        SessionEndCase(
            description: "a message rejected at end of message", verdict: (.endOfMessage, .reply(.reject)),
            steps: [.helo("client.example"), .message], events: [.connect, .helo] + message + [.abort, .abort, .quit]),
        SessionEndCase(
            description: "the recipient rejected", verdict: (.recipient, .reply(.reject)),
            steps: [.helo("client.example"), .message],
            events: [.connect, .helo, .mail, .recipient, .abort, .abort, .quit]),
        SessionEndCase(
            description: "QUIT after RCPT", steps: [.helo("client.example"), .envelope],
            events: [.connect, .helo, .mail, .recipient, .abort, .abort, .quit]),
        SessionEndCase(
            description: "RSET between two messages",
            steps: [.helo("client.example"), .message, .reset, .message],
            events: [.connect, .helo] + message + [.abort] + message + [.abort, .abort, .quit]),
        SessionEndCase(
            description: "a second EHLO after a message",
            steps: [.helo("client.example"), .message, .helo("again.example")],
            events: [.connect, .helo] + message + [.abort, .helo, .abort, .abort, .quit]),
        SessionEndCase(
            description: "a second EHLO, no message",
            steps: [.helo("client.example"), .helo("again.example")],
            events: [.connect, .helo, .helo, .abort, .abort, .quit]),
        SessionEndCase(
            description: "ACCEPT at CONNECT", verdict: (.connect, .reply(.accept)),
            steps: [.helo("client.example"), .message], events: [.connect]),
        SessionEndCase(
            description: "REJECT at CONNECT", verdict: (.connect, .reply(.reject)),
            steps: [.helo("client.example"), .message], events: [.connect]),
        SessionEndCase(
            description: "ACCEPT at HELO", verdict: (.helo, .reply(.accept)),
            steps: [.helo("client.example"), .message], events: [.connect, .helo]),
        SessionEndCase(
            description: "REJECT at HELO", verdict: (.helo, .reply(.reject)),
            steps: [.helo("client.example"), .message], events: [.connect, .helo]),
        SessionEndCase(
            description: "TEMPFAIL at HELO", verdict: (.helo, .reply(.tempfail)),
            steps: [.helo("client.example"), .message], events: [.connect, .helo]),
        SessionEndCase(
            description: "SKIP at MAIL", verdict: (.mail, .reply(.skip)), steps: [.helo("client.example"), .message],
            events: [.connect, .helo] + message + [.abort, .abort, .quit]),
        SessionEndCase(
            description: "ACCEPT at MAIL", verdict: (.mail, .reply(.accept)),
            steps: [.helo("client.example"), .message], events: [.connect, .helo, .mail, .abort, .abort, .quit]),
        SessionEndCase(
            description: "REJECT at MAIL", verdict: (.mail, .reply(.reject)),
            steps: [.helo("client.example"), .message], events: [.connect, .helo, .mail, .abort, .abort, .quit]),
    ]
}
