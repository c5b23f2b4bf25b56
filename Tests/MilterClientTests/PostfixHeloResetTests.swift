import MailMessage
import MilterClient
import MilterProtocol
import MilterTestSupport
import Testing

/// What the milter gets at the end of a session under the Postfix profile (``MTAProfile/abortsWhenHeloIsReset``):
/// the ABORT of `helo_reset` (`smtpd.c`, `milter8_abort`) before QUIT and after a second HELO, case by case as
/// Postfix 3.7.11 sends it (``SessionEndCase``; the interop test of the same name plays them through the real one).
@Suite struct PostfixHeloResetTests {
    /// The message of ``SessionEndCase/Step/message``.
    static let message = MilterMessage(
        sender: EnvelopeAddress(mailbox: "a@example.com"), recipients: [EnvelopeAddress(mailbox: "b@example.org")],
        content: RawMessage(parsing: Array("Subject: hi\r\n\r\nbody\r\n".utf8)))

    @Test(arguments: SessionEndCase.all)
    func theMilterGetsWhatPostfixSends(_ session: SessionEndCase) {
        let milter = Self.play(session)
        #expect(SessionEndCase.collapsed(milter.eventIDs) == session.events, "\(milter.eventIDs)")
    }

    /// ABORT goes with QUIT in one write, as `helo_reset` and `milter_disc_event` follow one another; the ABORT
    /// after a second HELO goes once the HELO's reply is in, in a write of its own.
    @Test func theAbortGoesWithQuitAndAfterASecondHelo() {
        let milter = Self.play(
            SessionEndCase(description: "", steps: [.helo("client.example"), .helo("again.example")], events: []))
        #expect(milter.writes.suffix(3) == [[.helo], [.abort], [.abort, .quit]], "\(milter.writes)")
    }

    /// `helo_reset` aborts only once the session had a HELO (`helo_name`).
    @Test func noHeloNoAbortAtTheEnd() {
        let milter = Self.play(SessionEndCase(description: "", steps: [.message], events: []))
        #expect(SessionEndCase.collapsed(milter.eventIDs) == [.connect] + SessionEndCase.message + [.abort, .quit])
    }

    /// A session left inside its transaction: `mail_reset`'s ABORT goes with or without a HELO, in QUIT's write,
    /// after `helo_reset`'s if there was a HELO.
    @Test func aTransactionLeftOpenGetsMailResetsAbort() {
        let withoutHelo = Self.play(SessionEndCase(description: "", steps: [.envelope], events: []))
        #expect(withoutHelo.writes.last == [.abort, .quit], "\(withoutHelo.writes)")
        #expect(SessionEndCase.collapsed(withoutHelo.eventIDs) == [.connect, .mail, .recipient, .abort, .quit])
        let withHelo = Self.play(
            SessionEndCase(description: "", steps: [.helo("client.example"), .envelope], events: []))
        #expect(withHelo.writes.last == [.abort, .abort, .quit], "\(withHelo.writes)")
        // Sendmail has no such ABORT.
        let sendmail = Self.play(
            SessionEndCase(description: "", steps: [.helo("client.example"), .envelope], events: []), profile: .sendmail
        )
        #expect(!SessionEndCase.collapsed(sendmail.eventIDs).contains(.abort), "\(sendmail.eventIDs)")
    }

    /// With the milter's HELO negotiated away (NOHELO) smtpd still had its HELO: the ABORT goes.
    @Test func aHeloTheMilterDeclinedIsResetToo() {
        let script = Scripts.wellBehaved(answer: Scripts.answer(flags: .noHelo))
        let milter = Self.play(SessionEndCase(description: "", steps: [.helo("client.example")], events: []), script)
        #expect(milter.eventIDs == [.optionNegotiation, .connect, .abort, .quit])
    }

    /// Sendmail sends no ABORT at the end of a session, nor after a second HELO.
    @Test func sendmailSendsNone() {
        let session = SessionEndCase(
            description: "", steps: [.helo("client.example"), .message, .helo("again.example")], events: [])
        let milter = Self.play(session, profile: .sendmail)
        #expect(
            SessionEndCase.collapsed(milter.eventIDs) == [.connect, .helo] + SessionEndCase.message + [.helo, .quit])
    }

    /// A recorded QUIT is sent as recorded: the recording has the ABORTs its MTA sent.
    @Test func aRecordedQuitGetsNoAbort() {
        let milter = SimulatedMilter(script: Scripts.wellBehaved())
        let connection = SimulatedConnection(milter: milter, configuration: Fixtures.configuration(profile: .postfix))
        connection.connect()
        connection.helo()
        connection.replay(.quit)
        #expect(milter.eventIDs == [.optionNegotiation, .connect, .helo, .quit])
    }

    /// Plays `session` under `profile` against a simulated milter answering as the case says (or `script`).
    static func play(
        _ session: SessionEndCase, _ script: ScriptedMilter.Script? = nil, profile: MTAProfile = .postfix
    ) -> SimulatedMilter {
        let verdict = session.verdict
        let milter = SimulatedMilter(
            script: script
                ?? Scripts.wellBehaved { command in command.id == verdict?.step ? verdict.map { [$0.action] } : nil })
        let connection = SimulatedConnection(milter: milter, configuration: Fixtures.configuration(profile: profile))
        connection.connect()
        for step in session.steps {
            switch step {
            case .helo(let name): connection.helo(name)
            case .message: _ = connection.send(message)
            // Between messages: the transaction ended with its ABORT already, as RSET's `mail_reset` finds.
            case .reset: break
            case .envelope:
                connection.mail(EnvelopeAddress(mailbox: "a@example.com"))
                connection.recipient(EnvelopeAddress(mailbox: "b@example.org"))
            }
        }
        connection.quit()
        return milter
    }
}
