import MailMessage
import MilterClient
import MilterProtocol
import MilterTestSupport
import Testing

/// STARTTLS and XCLIENT as the milter sees them, as Postfix 3.7.11 sends them (`smtpd.c` `starttls_cmd`,
/// `xclient_cmd`; InteropTests `PostfixStartTLSTests` plays the same sessions through the real one), and STARTTLS as
/// Sendmail's `srvrsmtp.c` plays it.
@Suite struct StartTLSTests {
    /// The TLS session Postfix 3.7.11 with OpenSSL 3 reported in the interop test.
    static let tlsMacros: [MacroDefinition.Macro] = [
        .init(name: "{tls_version}", value: "TLSv1.3"), .init(name: "{cipher}", value: "TLS_AES_256_GCM_SHA384"),
        .init(name: "{cipher_bits}", value: "256"),
    ]

    /// EHLO, STARTTLS, EHLO: `helo_reset`'s ABORT in a write of its own, then a HELO whose macros carry the TLS
    /// session and after which no ABORT goes (the session had no HELO any more); the end of the session as usual.
    @Test func postfixAbortsAtStartTLSAndTheNextHeloCarriesTheTLSMacros() {
        let milter = SimulatedMilter(script: Scripts.wellBehaved())
        let connection = SimulatedConnection(milter: milter, configuration: Fixtures.configuration(profile: .postfix))
        connection.connect()
        connection.helo("client.example")
        let record = connection.startTLS()
        #expect(record.command == .abort && record.delivery == .sentWithoutReply && record.smtpReply == nil)
        connection.helo("after.example")
        connection.quit()
        #expect(
            milter.writes.suffix(4) == [[.helo], [.abort], [.helo], [.abort, .quit]], "\(milter.writes)")
        let helos = milter.macroPackets.filter { $0.stage == MilterCommand.ID.helo.rawValue }
        #expect(helos.map(\.macros) == [[], Self.tlsMacros], "\(helos)")
    }

    /// STARTTLS before any HELO: nothing for the milter (`helo_reset` aborts only a session with a HELO name).
    @Test func postfixSendsNothingBeforeAHelo() {
        let milter = SimulatedMilter(script: Scripts.wellBehaved())
        let connection = SimulatedConnection(milter: milter, configuration: Fixtures.configuration(profile: .postfix))
        connection.connect()
        let record = connection.startTLS()
        #expect(record.delivery == .notSent && record.smtpReply == nil)
        connection.helo("after.example")
        connection.quit()
        #expect(milter.eventIDs == [.optionNegotiation, .connect, .helo, .abort, .quit])
    }

    /// The certificate's macros go once given, and a milter's HELO symbol list picks among them.
    @Test func certificateMacrosGoWhenGiven() {
        let milter = SimulatedMilter(script: Scripts.wellBehaved())
        let connection = SimulatedConnection(milter: milter, configuration: Fixtures.configuration(profile: .postfix))
        connection.connect()
        let tls = TLSSession(
            version: "TLSv1.2", cipher: "ECDHE-RSA-AES256-GCM-SHA384", cipherBits: 256,
            certificateSubject: "client.example", certificateIssuer: "Example CA")
        _ = connection.startTLS(tls)
        connection.helo("after.example")
        let helo = milter.macroPackets.last(where: { $0.stage == MilterCommand.ID.helo.rawValue })
        #expect(
            helo?.macros.map(\.value) == [
                "TLSv1.2", "ECDHE-RSA-AES256-GCM-SHA384", "256", "client.example", "Example CA",
            ], "\(String(describing: helo))")
    }

    /// After REJECT or TEMPFAIL at HELO STARTTLS gets the milter's standing reply (a 4xx one as 454) and TLS does
    /// not start: the milter, its socket closed, gets nothing.
    @Test(arguments: [
        (MTAProfile.postfix, MilterReply.reject, "550 5.7.1 Command rejected"),
        (.postfix, .tempfail, "454 4.3.0 Try again later"),
        (.sendmail, .reject, "550 5.0.0 Command rejected"),
        (.sendmail, .tempfail, "454 4.7.0 Please try again later"),
    ])
    func aRefusalAtHeloAnswersStartTLS(_ profile: MTAProfile, _ verdict: MilterReply, _ reply: String) {
        let milter = SimulatedMilter(script: Scripts.wellBehaved { $0.id == .helo ? [.reply(verdict)] : nil })
        let connection = SimulatedConnection(milter: milter, configuration: Fixtures.configuration(profile: profile))
        connection.connect()
        connection.helo("client.example")
        let record = connection.startTLS()
        #expect(record.delivery == .notSent && record.smtpReply == reply, "\(record)")
        #expect(connection.machine.tls == nil)
        #expect(!milter.eventIDs.contains(.abort), "\(milter.eventIDs)")
    }

    /// Sendmail tells the milter nothing at STARTTLS; the next EHLO is a HELO like any other, with the TLS macros,
    /// the certificate's empty when the client showed none (as Sendmail 8.17 sends them).
    @Test func sendmailSendsNothingButTheMacros() {
        let milter = SimulatedMilter(script: Scripts.wellBehaved())
        let connection = SimulatedConnection(milter: milter, configuration: Fixtures.configuration(profile: .sendmail))
        connection.connect()
        connection.helo("client.example")
        let record = connection.startTLS()
        #expect(record.delivery == .notSent && record.smtpReply == nil)
        connection.helo("after.example")
        connection.quit()
        #expect(milter.eventIDs == [.optionNegotiation, .connect, .helo, .helo, .quit])
        let empty: [MacroDefinition.Macro] = [
            .init(name: "{cert_subject}", value: ""), .init(name: "{cert_issuer}", value: ""),
        ]
        #expect(
            milter.macroPackets.last(where: { $0.stage == MilterCommand.ID.helo.rawValue })?.macros
                == Self.tlsMacros + empty)
    }

    /// Inside a transaction STARTTLS is refused and nothing goes.
    @Test func insideATransactionStartTLSIsRefused() {
        let milter = SimulatedMilter(script: Scripts.wellBehaved())
        let connection = SimulatedConnection(milter: milter, configuration: Fixtures.configuration(profile: .postfix))
        connection.connect()
        connection.helo("client.example")
        connection.mail(EnvelopeAddress(mailbox: "a@example.com"))
        let record = connection.startTLS()
        #expect(record.smtpReply?.hasPrefix("503 ") == true && record.delivery == .notSent)
        #expect(milter.eventIDs == [.optionNegotiation, .connect, .helo, .mail])
    }

    /// XCLIENT ends the milter connection: `helo_reset`'s ABORT (not when XCLIENT gives HELO=) and QUIT in one
    /// write, then the close.
    @Test(arguments: [false, true])
    func xclientAbortsUnlessItKeepsTheHeloThenQuits(keepsHelo: Bool) {
        let milter = SimulatedMilter(script: Scripts.wellBehaved())
        let connection = SimulatedConnection(milter: milter, configuration: Fixtures.configuration(profile: .postfix))
        connection.connect()
        connection.helo("client.example")
        #expect(connection.quitForXClient(keepsHelo: keepsHelo) == nil)
        #expect(milter.writes.last == (keepsHelo ? [.quit] : [.abort, .quit]), "\(milter.writes)")
        #expect(connection.closes == 1)
    }

    /// The new connection after XCLIENT keeps the TLS session, and a HELO name XCLIENT gave is reset, with an
    /// ABORT, by the next HELO and at the end.
    @Test func theNewConnectionKeepsTLSAndXClientsHelo() {
        let milter = SimulatedMilter(script: Scripts.wellBehaved())
        let client = SMTPClient(hostname: "new.example", address: "192.0.2.7", port: 4242, helo: "xhelo.example")
        let connection = SimulatedConnection(
            milter: milter, configuration: Fixtures.configuration(profile: .postfix), client: client)
        connection.adoptSession(tls: TLSSession(), heloGiven: true)
        connection.connect()
        connection.helo("again.example")
        connection.quit()
        #expect(milter.writes.suffix(3) == [[.helo], [.abort], [.abort, .quit]], "\(milter.writes)")
        #expect(
            milter.macroPackets.last(where: { $0.stage == MilterCommand.ID.helo.rawValue })?.macros == Self.tlsMacros)
        guard case .connect(let info) = milter.commands.first(where: { $0.id == .connect }) else {
            Issue.record("no CONNECT")
            return
        }
        #expect(info.hostname == "new.example" && info.address == .inet(address: "192.0.2.7", port: 4242))
    }
}
