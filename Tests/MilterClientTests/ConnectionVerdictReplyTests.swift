import MilterClient
import MilterProtocol
import MilterTestSupport
import Testing

/// What the SMTP client is told after REJECT, TEMPFAIL or REPLYCODE at CONNECT or HELO. Sendmail's `srvrsmtp.c`
/// keeps the session (it sets `nullserver` or `tempfail` on `milter_connect`'s and `milter_helo`'s state):
/// CONNECT gets its greeting, 554 after REJECT; HELO gets 250 then and later; the other commands get
/// `550 5.0.0 Command rejected` after REJECT, `MSG_TEMPFAIL` after TEMPFAIL, a HELO REPLYCODE's own text. Only
/// `421 4.7.0 $j closing connection` (a REPLYCODE `421 …` at CONNECT) and a REPLYCODE `421…` at HELO end the
/// session. The Postfix profile's rows are in ``PostfixConnectionVerdictReplyTests``.
/// Every Sendmail row was also played against Sendmail 8.17.1.9 (interop/sendmail) with a script milter, and
/// the SMTP client got these replies.
@Suite struct ConnectionVerdictReplyTests {
    /// What a connection whose milter answers `reply` at `step` did.
    struct Outcome {
        var connect: StepRecord
        var helo: StepRecord
        var result: TransactionResult
        var laterHelo: StepRecord
        var findings: [Finding]
        var events: [MilterCommand.ID]
    }

    static func run(_ reply: MilterReply, at step: MilterCommand.ID, profile: MTAProfile) -> Outcome {
        run(.reply(reply), at: step, profile: profile)
    }

    /// What a connection whose milter does `action` at `step` did: CONNECT, HELO, a message, a second HELO, QUIT.
    static func run(_ action: ScriptedMilter.Action, at step: MilterCommand.ID, profile: MTAProfile) -> Outcome {
        let milter = SimulatedMilter(script: Scripts.wellBehaved { $0.id == step ? [action] : nil })
        let connection = SimulatedConnection(milter: milter, configuration: Fixtures.configuration(profile: profile))
        let connect = connection.connect()
        let helo = connection.helo()
        let result = connection.send(Fixtures.message)
        let laterHelo = connection.helo("again.example.org")
        connection.quit()
        return Outcome(
            connect: connect, helo: helo, result: result, laterHelo: laterHelo, findings: connection.connectionFindings,
            events: milter.eventIDs)
    }

    static let host = MTAIdentity().hostname
    static let rejected = "550 5.0.0 Command rejected"
    static let tempfailed = "451 4.3.2 Please try again later"

    /// A row: the milter's reply at a step, and Sendmail's replies to CONNECT, the first HELO, the message
    /// and the later HELO (`nil`: its usual answer, the greeting or 250).
    struct Row: Sendable, CustomTestStringConvertible {
        var reply: MilterReply
        var step: MilterCommand.ID
        var connect: String?
        var helo: String?
        var message: String
        var laterHelo: String?
        /// The codes of the warnings.
        var warnings: [String] = []
        var testDescription: String { "\(reply.id) at \(step)" }
    }

    static let sendmailRows: [Row] = [
        Row(
            reply: .reject, step: .connect, connect: "554 \(host) ESMTP not accepting messages", helo: nil,
            message: rejected, laterHelo: nil),
        Row(reply: .tempfail, step: .connect, connect: nil, helo: nil, message: tempfailed, laterHelo: nil),
        Row(reply: .reject, step: .helo, connect: nil, helo: nil, message: rejected, laterHelo: nil),
        Row(reply: .tempfail, step: .helo, connect: nil, helo: nil, message: tempfailed, laterHelo: nil),
        Row(
            reply: .replyCode("550 5.7.1 go away"), step: .helo, connect: nil, helo: nil, message: "550 5.7.1 go away",
            laterHelo: nil),
        // MILTER_CHECK_REPLYCODE swaps a single % for milter_send_command's default for HELO, "550 Command
        // rejected", and usrerr (err.c fmtmsg) adds the enhanced code it lacks, as it does to a milter's text.
        Row(
            reply: .replyCode("550 5.7.1 100% sure"), step: .helo, connect: nil, helo: nil,
            message: "550 5.0.0 Command rejected", laterHelo: nil, warnings: ["invalidReplyCode"]),
        Row(
            reply: .replyCode("550 go away"), step: .helo, connect: nil, helo: nil, message: "550 5.0.0 go away",
            laterHelo: nil),
        Row(
            reply: .replyCode("421 bye"), step: .helo, connect: nil, helo: "421 4.0.0 bye",
            message: "421 4.0.0 bye", laterHelo: "421 4.0.0 bye"),
        Row(
            reply: .replyCode("421 4.7.0 bye"), step: .helo, connect: nil, helo: "421 4.7.0 bye",
            message: "421 4.7.0 bye", laterHelo: "421 4.7.0 bye"),
        Row(
            reply: .replyCode("421-4.7.0 bye\r\n421 4.7.0 now"), step: .helo, connect: nil,
            helo: "421-4.7.0 bye\r\n421 4.7.0 now", message: "421-4.7.0 bye\r\n421 4.7.0 now",
            laterHelo: "421-4.7.0 bye\r\n421 4.7.0 now"),
    ]

    /// Checks `outcome` against `row`: the replies, the verdict, and the warnings (no other finding).
    static func expect(_ outcome: Outcome, matches row: Row, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(outcome.connect.smtpReply == row.connect, sourceLocation: sourceLocation)
        #expect(outcome.helo.smtpReply == row.helo, sourceLocation: sourceLocation)
        #expect(outcome.result.smtpReply == row.message, sourceLocation: sourceLocation)
        #expect(
            outcome.result.verdict == (row.message.hasPrefix("5") ? .reject : .tempfail), sourceLocation: sourceLocation
        )
        #expect(
            outcome.laterHelo.smtpReply == row.laterHelo && outcome.laterHelo.delivery == .notSent,
            sourceLocation: sourceLocation)
        #expect(outcome.findings.map(\.code) == row.warnings, "\(outcome.findings)", sourceLocation: sourceLocation)
        #expect(outcome.findings.allSatisfy { $0.severity == .warning }, sourceLocation: sourceLocation)
    }

    @Test(arguments: sendmailRows)
    func sendmailKeepsTheSession(row: Row) {
        let outcome = Self.run(row.reply, at: row.step, profile: .sendmail)
        Self.expect(outcome, matches: row)
        #expect(!outcome.events.contains(.mail), "\(outcome.events)")
    }

    /// REPLYCODE at CONNECT: `milter_connect` drops the text and keeps its verdict, with a warning that says so.
    @Test(arguments: [
        ("421 4.7.0 going down", "421 4.7.0 \(host) closing connection", "421 4.7.0 \(host) closing connection"),
        ("450 4.7.1 not now", nil, tempfailed),
        ("550 5.7.1 go away", "554 \(host) ESMTP not accepting messages", rejected),
    ])
    func sendmailDropsTheTextAtConnect(text: String, connect: String?, message: String) throws {
        let outcome = Self.run(.replyCode(MilterString(text)), at: .connect, profile: .sendmail)
        #expect(outcome.connect.smtpReply == connect)
        #expect(outcome.result.smtpReply == message)
        // A session that ended (421) answers HELO with its last reply too.
        #expect(outcome.laterHelo.smtpReply == (message.hasPrefix("421") ? message : nil))
        let warning = try #require(outcome.findings.first)
        #expect(outcome.findings.count == 1 && warning.severity == .warning && warning.step == .connect)
        #expect(warning.code == "replyNotAllowedHere")
        #expect(warning.description.contains("Sendmail drops the text at CONNECT"))
        #expect(outcome.events == [.optionNegotiation, .connect, .quit], "milter_connect sends QUIT")
    }

    /// A text Sendmail cannot use at CONNECT: `MILTER_CHECK_REPLYCODE` makes it `554 Command rejected`, so REJECT.
    @Test func sendmailRejectsAnUnusableTextAtConnect() throws {
        let outcome = Self.run(.replyCode("451 100% busy"), at: .connect, profile: .sendmail)
        #expect(outcome.connect.smtpReply == "554 \(Self.host) ESMTP not accepting messages")
        #expect(outcome.result.smtpReply == Self.rejected)
        let warning = try #require(outcome.findings.first)
        #expect(warning.code == "invalidReplyCode" && warning.severity == .warning)
        #expect(warning.description.contains("answers as for REJECT"))
    }
}
