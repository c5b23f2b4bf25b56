import MailMessage
import MilterClient
import MilterProtocol
import MilterTestSupport
import NIOCore
import Testing

/// Shared test data and a way to talk to a scripted milter.
enum Fixtures {
    static let sender = EnvelopeAddress(mailbox: "alice@example.org", arguments: ["SIZE=100"])
    static let recipients = [
        EnvelopeAddress(mailbox: "bob@example.net"), EnvelopeAddress(mailbox: "carol@example.net"),
    ]

    static let rawMessage = Array(
        """
        From: Alice <alice@example.org>\r
        To: Bob <bob@example.net>\r
        Subject: Hello\r
        \tfolded\r
        X-Empty:\r
        \r
        line one\r
        line two\r

        """.utf8)

    static var message: MilterMessage {
        MilterMessage(sender: sender, recipients: recipients, content: RawMessage(parsing: rawMessage))
    }

    /// Generous timeouts (the machine may be busy), with `endOfMessage` short for the tests of
    /// timeouts, so that they do not take minutes.
    static func configuration(
        profile: MTAProfile = .postfix, version: MilterVersion = .v6, endOfMessage: TimeAmount = .seconds(30)
    ) -> MilterClientConfiguration {
        var configuration = MilterClientConfiguration(profile: profile, version: version)
        configuration.timeouts = MilterTimeouts(
            connect: .seconds(30), command: .seconds(30), content: .seconds(30), endOfMessage: endOfMessage)
        configuration.receivedDate = { "Sat, 28 Nov 2026 00:00:00 +0000" }
        return configuration
    }

    /// Opens a connection to the scripted milter and sends CONNECT and HELO.
    static func open(
        _ milter: ScriptedMilter, configuration: MilterClientConfiguration = configuration()
    ) async throws -> MilterClientConnection {
        let connection = try await MilterClientConnection.open(
            to: .inet(host: "127.0.0.1", port: milter.port), configuration: configuration)
        await connection.connect()
        await connection.helo()
        return connection
    }

    /// Runs one message on a fresh connection and quits.
    static func run(
        _ script: @escaping ScriptedMilter.Script, configuration: MilterClientConfiguration = configuration(),
        message: MilterMessage = message, driver: Driver = .eventLoop
    ) async throws -> (TransactionResult, ScriptedMilter, [Finding]) {
        let milter = try await ScriptedMilter(script: script)
        let (result, findings) = try await driver.run(milter, configuration: configuration, message: message)
        await milter.stop()
        return (result, milter, findings)
    }

    /// The events and MACRO packets of one message to a well-behaved milter with the Postfix
    /// profile: the order (the transaction's ABORT, then `helo_reset`'s with QUIT), the stages, and the macros of
    /// CONNECT, HELO and MAIL.
    static func expectPostfixOrder(_ eventIDs: [MilterCommand.ID], _ macroPackets: [MacroDefinition]) {
        #expect(
            eventIDs == [
                .optionNegotiation, .connect, .helo, .mail, .recipient, .recipient, .data, .header, .header, .header,
                .header, .endOfHeaders, .body, .endOfMessage, .abort, .abort, .quit,
            ])
        let stages = macroPackets.map { Character(Unicode.Scalar($0.stage)) }
        #expect(stages == ["C", "H", "M", "R", "R", "T", "L", "L", "L", "L", "N", "B", "E"])
        let connectMacros = Dictionary(
            uniqueKeysWithValues: macroPackets[0].macros.map { ($0.name.string, $0.value.string) })
        #expect(Set(connectMacros.keys) == ["j", "{daemon_name}", "{daemon_addr}", "v", "_"])
        #expect(connectMacros["_"] == "client.example.test [192.0.2.1]")
        // The HELO stage asks only for TLS macros, which have no value: an empty D packet goes.
        #expect(macroPackets[1].macros.isEmpty)
        let mailMacros = macroPackets[2].macros.map(\.name.string)
        // No `i` yet: Postfix has no queue ID before the first accepted recipient.
        #expect(mailMacros == ["{mail_addr}", "{mail_host}", "{mail_mailer}"])
    }
}
