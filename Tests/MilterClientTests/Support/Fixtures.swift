import MailMessage
import MilterClient
import MilterProtocol
import MilterTestSupport
import NIOCore

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
}
