import MilterClient
import MilterProtocol
import MilterTestSupport
import Testing

/// `{auth_author}` at MAIL is the MAIL FROM `AUTH=` parameter as the client wrote it (xtext not decoded), login or
/// not: Postfix 3.7 (`smtpd_sasl_mail_opt`) sends none for `AUTH=<>` and masks unprintable bytes with `?`, Sendmail
/// 8.17 (`mail_esmtp_args`) sends `<>` too. Both profiles list it among their default MAIL macros.
@Suite struct AuthorMacroTests {
    /// The MAIL macros of each message sent with `arguments`, one session, keyed by name.
    private static func mailMacros(
        _ arguments: [[MilterString]], profile: MTAProfile, login: SASLLogin? = nil
    ) -> [[String: MilterString]] {
        let milter = SimulatedMilter(script: Scripts.wellBehaved())
        let connection = SimulatedConnection(
            milter: milter, configuration: Fixtures.configuration(profile: profile), client: SMTPClient(login: login))
        connection.connect()
        connection.helo()
        for each in arguments {
            var message = Fixtures.message
            message.sender = EnvelopeAddress(address: "<a@example.com>", arguments: each)
            _ = connection.send(message)
        }
        connection.quit()
        return milter.macroPackets.filter { $0.stage == UInt8(ascii: "M") }.map { packet in
            Dictionary(packet.macros.map { ($0.name.string, $0.value) }, uniquingKeysWith: { first, _ in first })
        }
    }

    @Test(arguments: [MTAProfile.postfix, .sendmail])
    func theAuthParameterIsSentAsWritten(profile: MTAProfile) {
        let macros = Self.mailMacros(
            [["SIZE=10", "AUTH=alice+2Bx@example.org"], ["auth=bob@example.org"], ["SIZE=10"], []], profile: profile)
        #expect(macros.count == 4)
        #expect(macros.first?["{auth_author}"] == "alice+2Bx@example.org", "\(macros)")
        #expect(macros.dropFirst().first?["{auth_author}"] == "bob@example.org", "\(macros)")
        // A later MAIL without AUTH= has none: the value is the transaction's.
        #expect(macros.dropFirst(2).allSatisfy { $0["{auth_author}"] == nil }, "\(macros)")
    }

    @Test func postfixSendsNoneForTheNullAuthorSendmailSendsIt() {
        #expect(Self.mailMacros([["AUTH=<>"]], profile: .postfix).first?["{auth_author}"] == nil)
        #expect(Self.mailMacros([["AUTH=<>"]], profile: .sendmail).first?["{auth_author}"] == "<>")
    }

    /// Neither MTA asks for a login first; with one, `{auth_authen}` goes beside it.
    @Test func aLoginIsNotNeededAndGoesBesideIt() {
        let login = SASLLogin(name: "carol", method: "PLAIN")
        let macros = Self.mailMacros([["AUTH=<carol@example.org>"]], profile: .postfix, login: login).first ?? [:]
        #expect(macros["{auth_author}"] == "<carol@example.org>" && macros["{auth_authen}"] == "carol", "\(macros)")
    }

    /// Postfix's `printable()`: a control byte or a byte outside a UTF-8 character becomes `?`; the first
    /// `AUTH=` counts. Sendmail passes the bytes on.
    @Test func postfixMasksUnprintableBytes() {
        let value = MilterString(bytes: Array("AUTH=a\tb\u{7F}é".utf8) + [0xFF, 0x41])
        let postfix = Self.mailMacros([[value, "AUTH=second"]], profile: .postfix).first?["{auth_author}"]
        #expect(postfix == MilterString(bytes: Array("a?b?é?A".utf8)))
        let sendmail = Self.mailMacros([[value]], profile: .sendmail).first?["{auth_author}"]
        #expect(sendmail == MilterString(bytes: value.bytes.dropFirst(5)))
    }
}
