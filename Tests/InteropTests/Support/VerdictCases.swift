import MailMessage
import MilterClient
import MilterProtocol
import MilterTestSupport
import NIOConcurrencyHelpers
import Testing

/// A table of verdicts played through a real MTA and through MilterClient's profile, one case per session.
enum VerdictCases {
    /// Runs `body` with a scripted milter that answers the selected case's action to every command of the case's
    /// kind; `body` selects a case by its index (`select`) before each session. The milter is stopped at the end.
    static func withMilter(
        _ cases: [(MilterCommand.ID, ScriptedMilter.Action)],
        _ body: (_ milter: ScriptedMilter, _ select: (Int) -> Void) async throws -> Void
    ) async throws {
        let row = NIOLockedValueBox(0)
        let milter = try await ScriptedMilter(
            script: Scripts.wellBehaved { command in
                let (step, action) = cases[row.withLockedValue { $0 }]
                return command.id == step ? [action] : nil
            })
        do {
            try await body(milter) { index in row.withLockedValue { $0 = index } }
        } catch {
            await milter.stop()
            throw error
        }
        await milter.stop()
    }

    /// Checks that the profile gave CONNECT, HELO and MAIL the replies the MTA gave (`nil` for its usual 220 and
    /// 250), as far as the real session went.
    static func expect(
        _ simulated: ProfileSession, matches real: SMTPSession, _ label: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let greeting = real.greeting.code == 220 ? nil : real.greeting.description
        #expect(simulated.connect == greeting, "\(label)", sourceLocation: sourceLocation)
        if let helo = real.helo {
            #expect(
                simulated.helo == (helo.code == 250 ? nil : helo.description), "\(label)",
                sourceLocation: sourceLocation)
        }
        if let mail = real.results.first?.mail {
            #expect(simulated.mail == mail.description, "\(label)", sourceLocation: sourceLocation)
        }
    }
}

/// The SMTP replies of one session through MilterClient: CONNECT, HELO, a message from `<a@example.com>` to
/// `<b@example.org>`, a second HELO, QUIT (`nil` where the MTA answers as usual).
struct ProfileSession {
    var connect: String?
    var helo: String?
    var mail: String?
    var recipient: String?
    /// The message's reply.
    var message: String?
    /// Whether the session ended: the second HELO got a refusal.
    var ended: Bool

    /// Plays the session against the milter on `port`; `senderArguments` are MAIL's ESMTP parameters.
    static func run(
        port: Int, _ configuration: MilterClientConfiguration, senderArguments: [String] = []
    ) async throws -> ProfileSession {
        let connection = try await MilterClientConnection.open(
            to: .inet(host: "127.0.0.1", port: port), configuration: configuration)
        let connect = await connection.connect()
        let helo = await connection.helo()
        let result = await connection.send(message(senderArguments: senderArguments))
        let laterHelo = await connection.helo("again.example.org")
        await connection.quit()
        let reply = { (step: MilterCommand.ID) in result.steps.first { $0.command == step }?.smtpReply }
        return ProfileSession(
            connect: connect.smtpReply, helo: helo.smtpReply, mail: reply(.mail), recipient: reply(.recipient),
            message: result.smtpReply, ended: laterHelo.smtpReply != nil)
    }

    /// The session's message: from `<a@example.com>` to `<b@example.org>`, `Subject: hi`.
    static func message(senderArguments: [String] = []) -> MilterMessage {
        MilterMessage(
            sender: EnvelopeAddress(mailbox: "a@example.com", arguments: senderArguments),
            recipients: [EnvelopeAddress(mailbox: "b@example.org")],
            content: RawMessage(parsing: Array("Subject: hi\r\n\r\nbody\r\n".utf8)))
    }

    /// Plays CONNECT, then `steps` (``message(senderArguments:)`` for each message; RSET between messages is
    /// nothing to the milter, whose transaction ended with its ABORT), then QUIT, against the milter on `port`.
    static func play(_ steps: [SessionEndCase.Step], port: Int, _ configuration: MilterClientConfiguration) async throws
    {
        let connection = try await MilterClientConnection.open(
            to: .inet(host: "127.0.0.1", port: port), configuration: configuration)
        _ = await connection.connect()
        for step in steps {
            switch step {
            case .helo(let name): _ = await connection.helo(name)
            case .message: _ = await connection.send(message())
            case .reset: break
            case .envelope:
                _ = await connection.mail(EnvelopeAddress(mailbox: "a@example.com"))
                _ = await connection.recipient(EnvelopeAddress(mailbox: "b@example.org"))
            }
        }
        await connection.quit()
    }
}
