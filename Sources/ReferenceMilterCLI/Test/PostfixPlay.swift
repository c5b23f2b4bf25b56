import MilterClient
import MilterProtocol
import NIOCore

/// One SMTP session of `test`, played by MilterClient with the Postfix profile: negotiation, CONNECT
/// and HELO from `client`, the message, QUIT.
enum PostfixPlay {
    /// Delivers `message` from `client` to the milter at `address`; a finding (a protocol violation, silence
    /// past `timeout`, a closed connection) is thrown.
    static func deliver(
        _ message: MilterMessage, to address: MilterAddress, timeout: TimeAmount, client: SMTPClient
    ) async throws -> TestOutcome {
        let connection = try await MilterClientConnection.open(
            to: address, configuration: configuration(timeout: timeout), client: client)
        let opening = [await connection.connect(), await connection.helo()]
        let result = await connection.send(message)
        let leadingSpace = await connection.options?.protocolFlags.contains(.headerLeadingSpace) ?? false
        await connection.quit()
        let findings = await connection.connectionFindings + result.findings
        guard findings.isEmpty else { throw TestFindings(findings: findings) }
        var outcome = TestOutcome(opening: opening, result: result, recipients: message.recipients)
        outcome.headerLeadingSpace = leadingSpace
        return outcome
    }

    /// The Postfix profile, with a fixed queue ID in every macro packet that carries one.
    static func configuration(timeout: TimeAmount) -> MilterClientConfiguration {
        let queueID = [(name: "i", value: TestRun.queueID)]
        var configuration = MilterClientConfiguration(
            profile: .postfix, version: .v6,
            macroOverrides: [.mail: queueID, .rcpt: queueID, .data: queueID, .eoh: queueID, .eom: queueID],
            timeouts: MilterTimeouts(all: timeout))
        configuration.buildsResultingMessage = false
        return configuration
    }
}

/// The milter failed the played MTA's checks during `test`.
struct TestFindings: Error, CustomStringConvertible {
    /// What went wrong, in order.
    let findings: [Finding]

    var description: String { findings.map(\.description).joined(separator: "; ") }
}
