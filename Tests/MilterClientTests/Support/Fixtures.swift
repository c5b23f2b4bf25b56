import MailMessage
import MilterClient
import MilterProtocol
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

    /// Fast timeouts so that a test of a timeout does not take 30 s.
    static func configuration(
        profile: MTAProfile = .postfix, version: MilterVersion = .v6, timeout: TimeAmount = .seconds(5)
    ) -> MilterClientConfiguration {
        var configuration = MilterClientConfiguration(profile: profile, version: version)
        configuration.timeouts = MilterTimeouts(all: timeout)
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
        message: MilterMessage = message
    ) async throws -> (TransactionResult, ScriptedMilter, [Finding]) {
        let milter = try await ScriptedMilter(script: script)
        let connection = try await open(milter, configuration: configuration)
        let result = await connection.send(message)
        await connection.quit()
        await milter.stop()
        return (result, milter, await connection.connectionFindings)
    }
}
