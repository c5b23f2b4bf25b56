import MilterClient
import MilterProtocol
import MilterTestSupport
import NIOCore
import Testing

/// Macro values follow the transaction: each message on a connection carries its own queue ID,
/// sender and recipients, even though the client reuses the values of a sender it saw last.
@Suite struct MacroValueTests {
    private static func values(_ packet: MacroDefinition) -> [String: String] {
        Dictionary(packet.macros.map { ($0.name.string, $0.value.string) }, uniquingKeysWith: { $1 })
    }

    @Test func everyMessageCarriesItsOwnEnvelope() async throws {
        let milter = SimulatedMilter(script: Scripts.wellBehaved())
        let connection = Fixtures.open(milter)
        var first = Fixtures.message
        first.recipients = [EnvelopeAddress(mailbox: "bob@Example.NET")]
        var second = first
        second.sender = EnvelopeAddress(mailbox: "")
        second.recipients = [EnvelopeAddress(mailbox: "dave@example.com")]
        for message in [first, first, second] { _ = connection.send(message) }
        connection.quit()

        let mail = milter.macroPackets.filter { $0.stage == UInt8(ascii: "M") }.map(Self.values)
        let rcpt = milter.macroPackets.filter { $0.stage == UInt8(ascii: "R") }.map(Self.values)
        let data = milter.macroPackets.filter { $0.stage == UInt8(ascii: "T") }.map(Self.values)
        #expect(mail.map { $0["{mail_addr}"] } == ["alice@example.org", "alice@example.org", ""])
        #expect(mail.map { $0["{mail_host}"] } == ["example.org", "example.org", ""])
        #expect(rcpt.map { $0["{rcpt_addr}"] } == ["bob@Example.NET", "bob@Example.NET", "dave@example.com"])
        #expect(rcpt.map { $0["{rcpt_host}"] } == ["example.net", "example.net", "example.com"])
        // One queue ID per message, the same in every packet of that message, different between messages.
        let queueIDs = mail.map { $0["i"] }
        #expect(Set(queueIDs).count == 3)
        #expect(rcpt.map { $0["i"] } == queueIDs)
        #expect(data.map { $0["i"] } == queueIDs)
    }
}
