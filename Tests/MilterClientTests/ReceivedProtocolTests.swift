import MailMessage
import MilterClient
import MilterProtocol
import MilterTestSupport
import Testing

/// The protocol the MTA's own `Received:` field names after `with`, as Postfix's `smtpd` writes it
/// (`smtpd_header_out`): `SMTP` until an EHLO (`ehlo_cmd`) makes the session `ESMTP`, a HELO (`helo_cmd`) keeping
/// `ESMTP`; `S` under TLS and `A` with a SASL login, ESMTP only (RFC 3848); what XCLIENT's `PROTO` says, `SMTP`
/// without one (`xclient_cmd`); `UTF8SMTP` for a MAIL with `SMTPUTF8`. With the Sendmail profile, as Sendmail sets
/// its `$r`. The milter never sees that field.
@Suite struct ReceivedProtocolTests {
    /// A session's greetings (`true`: EHLO), its STARTTLS after them (the last greeting again after it), a login,
    /// and a MAIL's arguments.
    struct Session: CustomStringConvertible, Sendable {
        var greetings: [Bool]
        var tls = false
        var login = false
        var senderArguments: [String] = []
        /// Whether the client greets again after STARTTLS, as it must.
        var greetsAfterTLS = true
        var expected: String

        var description: String {
            let tlsText = tls && !greetsAfterTLS ? "tls-without-greeting" : "tls=\(tls)"
            return "\(greetings.map { $0 ? "EHLO" : "HELO" }) \(tlsText) login=\(login) \(senderArguments): \(expected)"
        }
    }

    static let sessions: [Session] = [
        Session(greetings: [true], expected: "ESMTP"),
        Session(greetings: [false], expected: "SMTP"),
        Session(greetings: [true, false], expected: "ESMTP"),
        Session(greetings: [false, true], expected: "ESMTP"),
        Session(greetings: [true], tls: true, expected: "ESMTPS"),
        Session(greetings: [true], login: true, expected: "ESMTPA"),
        Session(greetings: [true], tls: true, login: true, expected: "ESMTPSA"),
        Session(greetings: [false], tls: true, login: true, expected: "SMTP"),
        Session(greetings: [], expected: "SMTP"),
        Session(greetings: [true], tls: true, senderArguments: ["SMTPUTF8"], expected: "UTF8SMTPS"),
        Session(greetings: [false], senderArguments: ["smtputf8", "SIZE=10"], expected: "UTF8SMTP"),
    ]

    static let message = MilterMessage(
        sender: EnvelopeAddress(mailbox: "a@example.com"), recipients: [EnvelopeAddress(mailbox: "b@example.org")],
        content: RawMessage(parsing: Array("Subject: hi\r\n\r\nbody\r\n".utf8)))

    /// The `with` clause of the first field of `result`'s message, which must be the MTA's `Received:`.
    static func receivedProtocol(_ result: TransactionResult) -> String? {
        guard let received = result.resultingMessage?.headerFields.first, received.hasName("Received") else {
            return nil
        }
        let words = received.value.split(whereSeparator: \.isWhitespace)
        guard let with = words.firstIndex(of: "with"), with + 1 < words.count else { return nil }
        return String(words[with + 1])
    }

    static func play(_ session: Session, profile: MTAProfile = .postfix) -> (TransactionResult, SimulatedMilter) {
        let milter = SimulatedMilter(script: Scripts.wellBehaved())
        let login = session.login ? SASLLogin(name: "user", method: "PLAIN") : nil
        let connection = SimulatedConnection(
            milter: milter, configuration: Fixtures.configuration(profile: profile), client: SMTPClient(login: login))
        connection.connect()
        for extended in session.greetings { connection.helo("client.example", extended: extended) }
        if session.tls {
            connection.startTLS()
            if session.greetsAfterTLS, let last = session.greetings.last {
                connection.helo("client.example", extended: last)
            }
        }
        var message = Self.message
        message.sender = EnvelopeAddress(mailbox: "a@example.com", arguments: session.senderArguments)
        let result = connection.send(message)
        connection.quit()
        return (result, milter)
    }

    @Test(arguments: sessions)
    func theReceivedFieldNamesTheProtocolTheClientSpoke(_ session: Session) {
        let (result, _) = Self.play(session)
        let first = result.resultingMessage?.headerFields.first.map { "\($0.name):\($0.value)" }
        #expect(Self.receivedProtocol(result) == session.expected, "\(first ?? "no field")")
    }

    /// Sendmail 8.17 (`srvrsmtp.c`) sets its `$r` at each HELO (`SMTP`) and EHLO (`GET_PROTOCOL()`: `ESMTP`, `S`
    /// under TLS, `A` with a login), not when the MTA writes the field: a HELO after an EHLO makes it `SMTP` again,
    /// and a STARTTLS counts from the next EHLO. A stock Sendmail never writes `UTF8SMTP` (no `USE_EAI` in Debian's
    /// build, the `SMTPUTF8` option off by default).
    static let sendmailSessions: [Session] = [
        Session(greetings: [true], expected: "ESMTP"),
        Session(greetings: [false], expected: "SMTP"),
        Session(greetings: [true, false], expected: "SMTP"),
        Session(greetings: [false, true], expected: "ESMTP"),
        Session(greetings: [true], tls: true, expected: "ESMTPS"),
        Session(greetings: [true], tls: true, greetsAfterTLS: false, expected: "ESMTP"),
        Session(greetings: [true], login: true, expected: "ESMTPA"),
        Session(greetings: [true], tls: true, login: true, expected: "ESMTPSA"),
        Session(greetings: [false], tls: true, login: true, expected: "SMTP"),
        Session(greetings: [], expected: "SMTP"),
        Session(greetings: [true], tls: true, senderArguments: ["SMTPUTF8"], expected: "ESMTPS"),
        Session(greetings: [false], senderArguments: ["smtputf8"], expected: "SMTP"),
    ]

    @Test(arguments: sendmailSessions)
    func sendmailNamesTheProtocolOfTheLastGreeting(_ session: Session) {
        let (result, _) = Self.play(session, profile: .sendmail)
        let first = result.resultingMessage?.headerFields.first.map { "\($0.name):\($0.value)" }
        #expect(Self.receivedProtocol(result) == session.expected, "\(first ?? "no field")")
    }

    /// Postfix works the `S` out when it writes the field: a STARTTLS counts at once.
    @Test func postfixCountsTLSWithoutANewGreeting() {
        let session = Session(greetings: [true], tls: true, greetsAfterTLS: false, expected: "ESMTPS")
        #expect(Self.receivedProtocol(Self.play(session).0) == "ESMTPS")
    }

    /// HELO or EHLO, the milter gets the same commands: the field is the MTA's own, hidden from the milter.
    @Test func theMilterSeesTheSameWhateverTheProtocol() {
        let (ehlo, byEHLO) = Self.play(Session(greetings: [true], tls: true, expected: "ESMTPS"))
        let (helo, byHELO) = Self.play(Session(greetings: [false], tls: true, expected: "SMTP"))
        #expect(byEHLO.commands == byHELO.commands)
        #expect(byEHLO.macroPackets == byHELO.macroPackets)
        #expect(ehlo.resultingMessage?.headerFields.dropFirst() == helo.resultingMessage?.headerFields.dropFirst())
        #expect(ehlo.resultingMessage?.headerFields.count == 2)
    }

    /// After XCLIENT the new connection names the protocol `PROTO` gave, `SMTP` without one, with `S` for the TLS
    /// session XCLIENT keeps and `A` for its `LOGIN`, until the client's next EHLO.
    @Test(arguments: [
        (XClientAttributes.SMTPProtocol?.none, false, "SMTP"), (.esmtp, false, "ESMTPS"), (.esmtp, true, "ESMTPSA"),
        (.smtp, true, "SMTP"),
    ])
    func afterXClientTheFieldNamesItsProtocol(proto: XClientAttributes.SMTPProtocol?, login: Bool, expected: String) {
        let attributes = XClientAttributes(helo: "x.example", smtpProtocol: proto, login: login ? "user" : nil)
        let milter = SimulatedMilter(script: Scripts.wellBehaved())
        let connection = SimulatedConnection(
            milter: milter, configuration: Fixtures.configuration(profile: .postfix),
            client: attributes.applied(to: SMTPClient()))
        connection.adoptSession(tls: TLSSession(), heloGiven: true, smtpProtocol: proto ?? .smtp)
        connection.connect()
        #expect(Self.receivedProtocol(connection.send(Self.message)) == expected)
        connection.helo("x.example", extended: true)
        #expect(Self.receivedProtocol(connection.send(Self.message)) == (login ? "ESMTPSA" : "ESMTPS"))
    }
}
