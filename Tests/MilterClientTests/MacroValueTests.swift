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
        // Postfix's resolver (MTARouting): the null sender is MAILER-DAEMON of the local host name, the address
        // lowercased, the next hop the domain as written.
        #expect(mail.map { $0["{mail_host}"] } == ["example.org", "example.org", "mx.example.test"])
        #expect(rcpt.map { $0["{rcpt_addr}"] } == ["bob@example.net", "bob@example.net", "dave@example.com"])
        #expect(rcpt.map { $0["{rcpt_host}"] } == ["Example.NET", "Example.NET", "example.com"])
        // One queue ID per message, different between messages. As in Postfix, it exists only once a
        // recipient was accepted: MAIL and the first RCPT carry none, DATA and later stages do.
        let queueIDs = data.map { $0["i"] }
        #expect(Set(queueIDs).count == 3 && !queueIDs.contains(nil))
        #expect(mail.allSatisfy { $0["i"] == nil })
        #expect(rcpt.allSatisfy { $0["i"] == nil })
        let eoh = milter.macroPackets.filter { $0.stage == UInt8(ascii: "N") }.map(Self.values)
        #expect(eoh.map { $0["i"] } == queueIDs)
    }

    /// `{i}` is `4`, the connection's number and the message's number on it, each in at least
    /// five uppercase hex digits.
    @Test func queueIDsNumberTheMessagesOfTheConnection() async throws {
        let milter = SimulatedMilter(script: Scripts.wellBehaved())
        let connection = Fixtures.open(milter)
        for _ in 0..<11 { _ = connection.send(Fixtures.message) }
        connection.quit()

        let queueIDs = milter.macroPackets.filter { $0.stage == UInt8(ascii: "T") }.compactMap { Self.values($0)["i"] }
        #expect(queueIDs.count == 11)
        let hex = Set("0123456789ABCDEF")
        for id in queueIDs {
            #expect(id.count == 11 && id.first == "4" && id.allSatisfy { hex.contains($0) })
        }
        #expect(Set(queueIDs.map { $0.dropFirst().prefix(5) }).count == 1)
        #expect(
            queueIDs.map { String($0.suffix(5)) }
                == (1...11).map { "0000" + String($0, radix: 16, uppercase: true) }.map { String($0.suffix(5)) })
    }
}
