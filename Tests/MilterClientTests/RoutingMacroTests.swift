import MilterClient
import MilterProtocol
import MilterTestSupport
import Testing

/// `{mail_addr}`, `{mail_host}`, `{mail_mailer}` and their RCPT counterparts as the Postfix profile works them out
/// from ``MTARouting``, with the values Postfix 3.7.11 sent for the same addresses and settings; the Sendmail
/// profile keeps its own.
@Suite struct RoutingMacroTests {
    /// The MAIL and RCPT macros of one message from `sender` to `recipients`, keyed by name.
    private static func macros(
        _ sender: String, _ recipients: [String], profile: MTAProfile = .postfix, routing: MTARouting = MTARouting()
    ) -> (mail: [String: String], rcpt: [[String: String]]) {
        let milter = SimulatedMilter(script: Scripts.wellBehaved())
        var configuration = Fixtures.configuration(profile: profile)
        configuration.identity = MTAIdentity(hostname: "mta.interop.test", routing: routing)
        let connection = Fixtures.open(milter, configuration: configuration)
        var message = Fixtures.message
        message.sender = EnvelopeAddress(mailbox: sender)
        message.recipients = recipients.map { EnvelopeAddress(mailbox: $0) }
        _ = connection.send(message)
        connection.quit()
        let values = { (packet: MacroDefinition) in
            Dictionary(packet.macros.map { ($0.name.string, $0.value.string) }, uniquingKeysWith: { $1 })
        }
        let mail = milter.macroPackets.filter { $0.stage == UInt8(ascii: "M") }.map(values)
        let rcpt = milter.macroPackets.filter { $0.stage == UInt8(ascii: "R") }.map(values)
        return (mail.first ?? [:], rcpt)
    }

    /// The interop harness's Postfix: `relayhost = [127.0.0.1]:PORT`, `mydestination =`, `myorigin = interop.test`.
    @Test func aRelayHostIsTheNextHopOfEveryAddress() {
        let routing = MTARouting(relayHost: "[127.0.0.1]:18926", localDomains: [], origin: "interop.test")
        let (mail, rcpt) = Self.macros(
            "a@Example.COM", ["b@Example.ORG", "Bob", "\"Q U\"@Example.org"], routing: routing)
        #expect(mail["{mail_addr}"] == "a@example.com")
        #expect(mail["{mail_host}"] == "[127.0.0.1]:18926")
        #expect(mail["{mail_mailer}"] == "smtp")
        #expect(rcpt.map { $0["{rcpt_addr}"] } == ["b@example.org", "bob@interop.test", "\"q u\"@example.org"])
        #expect(rcpt.map { $0["{rcpt_host}"] } == Array(repeating: "[127.0.0.1]:18926", count: 3))
        #expect(rcpt.map { $0["{rcpt_mailer}"] } == ["smtp", "smtp", "smtp"])
        let null = Self.macros("", ["b@example.org"], routing: routing).mail
        #expect(
            null["{mail_addr}"] == "" && null["{mail_host}"] == "[127.0.0.1]:18926" && null["{mail_mailer}"] == "smtp")
    }

    /// A stock Postfix (no relay host, `mydestination = $myhostname, localhost.$mydomain, localhost`): the domain
    /// as written is the next hop; a local domain goes to `local` at the host name, as does the null sender.
    @Test func withoutARelayHostTheDomainIsTheNextHop() {
        let (mail, rcpt) = Self.macros(
            "Bob@Example.ORG", ["Carol@Example.ORG", "root@MTA.interop.test", "root", "root@localhost"])
        #expect(mail["{mail_addr}"] == "bob@example.org")
        #expect(mail["{mail_host}"] == "Example.ORG")
        #expect(
            rcpt.map { $0["{rcpt_addr}"] } == [
                "carol@example.org", "root@mta.interop.test", "root@mta.interop.test", "root@localhost",
            ])
        #expect(
            rcpt.map { $0["{rcpt_host}"] } == [
                "Example.ORG", "mta.interop.test", "mta.interop.test", "mta.interop.test",
            ])
        #expect(rcpt.map { $0["{rcpt_mailer}"] } == ["smtp", "local", "local", "local"])
        let null = Self.macros("", ["b@example.org"]).mail
        #expect(
            null["{mail_addr}"] == "" && null["{mail_host}"] == "mta.interop.test" && null["{mail_mailer}"] == "local")
    }

    @Test func defaultLocalDomainsFollowTheHostName() {
        let routing = MTARouting()
        #expect(routing.localDomains == nil && routing.relayHost == nil && routing.origin == nil)
        let (_, rcpt) = Self.macros("a@example.com", ["x@localhost.interop.test", "y@interop.test"])
        #expect(rcpt.map { $0["{rcpt_mailer}"] } == ["local", "smtp"])
    }

    /// The interop harness's Sendmail (`SMART_HOST([127.0.0.1])`), with the values Sendmail 8.17 sent.
    @Test func sendmailRelaysToItsSmartHostAndKeepsTheAddress() {
        let routing = MTARouting(relayHost: "[127.0.0.1]")
        let (mail, rcpt) = Self.macros(
            "Bob@Example.ORG",
            ["Carol@Example.ORG", "\"Q U\"@Example.org", "root@MTA.interop.test", "Bob", "x@[127.0.0.1]"],
            profile: .sendmail, routing: routing)
        #expect(mail["{mail_addr}"] == "Bob@Example.ORG")
        #expect(mail["{mail_host}"] == "[127.0.0.1]")
        #expect(mail["{mail_mailer}"] == "relay")
        #expect(
            rcpt.map { $0["{rcpt_addr}"] } == [
                "Carol@Example.ORG", "\"Q U\"@Example.org", "root", "bob", "x@[127.0.0.1]",
            ])
        #expect(rcpt.map { $0["{rcpt_host}"] } == ["[127.0.0.1]", "[127.0.0.1]", "", "", "[127.0.0.1]"])
        #expect(rcpt.map { $0["{rcpt_mailer}"] } == ["relay", "relay", "local", "local", "esmtp"])
        let null = Self.macros("", ["b@example.org"], profile: .sendmail, routing: routing).mail
        #expect(null["{mail_addr}"] == "" && null["{mail_host}"] == "" && null["{mail_mailer}"] == "local")
    }

    /// A stock Sendmail sends a remote address to `esmtp` at its domain.
    @Test func sendmailWithoutASmartHostUsesEsmtp() {
        let (mail, rcpt) = Self.macros("a@Example.COM", ["b@example.org", "c@mta"], profile: .sendmail)
        #expect(mail["{mail_addr}"] == "a@Example.COM" && mail["{mail_host}"] == "example.com")
        #expect(mail["{mail_mailer}"] == "esmtp")
        #expect(rcpt.map { $0["{rcpt_mailer}"] } == ["esmtp", "local"])
    }
}
