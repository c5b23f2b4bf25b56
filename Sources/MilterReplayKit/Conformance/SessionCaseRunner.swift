import MailMessage
import MilterClient
import MilterProtocol

/// The fake MTA's sessions that are no scenario: the probe negotiation, and a session closed without QUIT.
struct SessionCaseRunner: Sendable {
    let address: MilterAddress
    let configuration: MilterClientConfiguration

    /// The milter's answer to `offer`, or the finding that stopped the negotiation.
    func negotiate(_ offer: OptionNegotiation) async throws(MilterConnectError) -> Result<NegotiatedOptions, Finding> {
        var configuration = configuration
        configuration.offer = offer
        let connection = try await MilterClientConnection.open(to: address, configuration: configuration)
        let negotiation = await connection.negotiation
        let options = await connection.options
        await connection.quit()
        if let finding = negotiation.finding { return .failure(finding) }
        guard let options else { return .failure(Finding(.endOfFile, step: .optionNegotiation)) }
        return .success(options)
    }

    /// CONNECT, HELO, a message, then the socket closed without QUIT; then a new connection must negotiate.
    func closeWithoutQuit() async throws(MilterConnectError) -> ConformanceSuite.Played {
        let connection = try await MilterClientConnection.open(to: address, configuration: configuration)
        var findings: [Finding] = []
        if let finding = await connection.negotiation.finding { findings.append(finding) }
        await connection.connect()
        await connection.helo()
        let message = MilterMessage(
            sender: EnvelopeAddress(address: "<alice@example.com>"),
            recipients: [EnvelopeAddress(address: "<bob@example.org>")],
            content: RawMessage(
                parsing: Array("From: alice@example.com\r\nSubject: conformance\r\n\r\nHello.\r\n".utf8)))
        findings += await connection.send(message).findings
        findings += await connection.connectionFindings
        await connection.closeWithoutQuit()
        if let first = findings.first {
            return ConformanceSuite.Played(
                status: .fail("\(first.code) \(first)"), sentWithoutReply: first.sentWithoutReply)
        }
        if case .failure(let finding) = try await negotiate(configuration.profile.offer(version: .v6)) {
            return ConformanceSuite.Played(
                status: .fail("after the close without QUIT the milter no longer negotiates: \(finding)"),
                sentWithoutReply: finding.sentWithoutReply)
        }
        return ConformanceSuite.Played(status: .pass)
    }
}
