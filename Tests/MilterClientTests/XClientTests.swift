import MilterClient
import MilterProtocol
import MilterTestSupport
import NIOCore
import Testing

/// `MilterClientConnection.xclient(_:)`: Postfix's XCLIENT through the library, on real sockets.
@Suite(.tags(.integration)) struct XClientTests {
    /// The old connection gets the ABORT of `helo_reset` and QUIT, the new one OPTNEG and CONNECT for the client
    /// the attributes make of the old one, and a HELO name XCLIENT gave is reset at the next HELO.
    @Test func theSessionGoesOnOnANewConnectionForTheNewClient() async throws {
        let milter = try await ScriptedMilter(script: Scripts.wellBehaved())
        let connection = try await Fixtures.open(milter)
        let outcome = try await connection.xclient(
            XClientAttributes(name: "relay.example", address: "192.0.2.7", port: 4242))
        #expect(outcome.findings.isEmpty)
        #expect(outcome.connect.finding == nil && outcome.connect.command == .connect)
        let next = outcome.connection
        #expect(await next.negotiation.finding == nil)
        #expect(await next.client.hostname == "relay.example")
        _ = await next.helo()
        await next.quit()
        let byConnection = await Self.eventsByConnection(milter)
        #expect(milter.acceptedConnections == 2)
        #expect(byConnection.first == [.optionNegotiation, .connect, .helo, .abort, .quit], "\(byConnection)")
        #expect(byConnection.last?.prefix(3) == [.optionNegotiation, .connect, .helo], "\(byConnection)")
        let connects = milter.commands.compactMap { if case .connect(let info) = $0 { info } else { nil } }
        #expect(connects.last?.hostname == "relay.example")
        #expect(connects.last?.address == .inet(address: "192.0.2.7", port: 4242))
    }

    /// XCLIENT with a HELO name: no ABORT for the old connection's HELO, and the name counts as the session's.
    @Test func aHeloNameSkipsTheAbortAndIsTheSessions() async throws {
        let milter = try await ScriptedMilter(script: Scripts.wellBehaved())
        let connection = try await Fixtures.open(milter)
        let outcome = try await connection.xclient(XClientAttributes(helo: "x.example"))
        await outcome.connection.quit()
        let byConnection = await Self.eventsByConnection(milter)
        // The old connection: no ABORT before QUIT. The new: the ABORT of the HELO name XCLIENT gave, at the end.
        #expect(
            byConnection == [
                [.optionNegotiation, .connect, .helo, .quit], [.optionNegotiation, .connect, .abort, .quit],
            ])
    }

    /// Inside a transaction, and under Sendmail, nothing goes and the old connection stays usable.
    @Test func insideATransactionAndUnderSendmailNothingGoes() async throws {
        let milter = try await ScriptedMilter(script: Scripts.wellBehaved())
        let connection = try await Fixtures.open(milter)
        _ = await connection.mail(EnvelopeAddress(mailbox: "a@example.com"))
        do {
            _ = try await connection.xclient(XClientAttributes(name: "n.example"))
            Issue.record("XCLIENT played inside a transaction")
        } catch {
            #expect(error.description.contains("Postfix answers 503"))
            guard case .insideTransaction = error else { throw error }
        }
        _ = await connection.abort()
        await connection.quit()
        let sendmail = try await Fixtures.open(milter, configuration: Fixtures.configuration(profile: .sendmail))
        do {
            _ = try await sendmail.xclient(XClientAttributes(name: "n.example"))
            Issue.record("XCLIENT played under Sendmail")
        } catch {
            guard case .notPostfix = error else { throw error }
        }
        await sendmail.quit()
        let byConnection = await Self.eventsByConnection(milter)
        // No QUIT, no new connection: the transaction's ABORT, the ABORT of helo_reset with QUIT; Sendmail's session.
        #expect(
            byConnection == [
                [.optionNegotiation, .connect, .helo, .mail, .abort, .abort, .quit],
                [.optionNegotiation, .connect, .helo, .quit],
            ], "\(byConnection)")
    }

    /// The new connection's `Received:` field names the protocol XCLIENT's `PROTO` gave, `SMTP` without one, with the
    /// `A` of its `LOGIN` for an ESMTP session (``ReceivedProtocolTests``).
    @Test(arguments: [(XClientAttributes.SMTPProtocol?.none, "SMTP"), (.esmtp, "ESMTPA"), (.smtp, "SMTP")])
    func theNewConnectionsReceivedFieldNamesTheProtocolXClientGave(
        proto: XClientAttributes.SMTPProtocol?, expected: String
    ) async throws {
        let milter = try await ScriptedMilter(script: Scripts.wellBehaved())
        let connection = try await Fixtures.open(milter)
        let outcome = try await connection.xclient(
            XClientAttributes(helo: "x.example", smtpProtocol: proto, login: "alice"))
        let result = await outcome.connection.send(ReceivedProtocolTests.message)
        await outcome.connection.quit()
        await milter.stop()
        #expect(ReceivedProtocolTests.receivedProtocol(result) == expected)
    }

    /// Waits for the milter to read both connections' QUIT, stops it, and gives each connection's events (MACRO
    /// packets left out).
    private static func eventsByConnection(_ milter: ScriptedMilter) async -> [[MilterCommand.ID]] {
        _ = try? await pollUntil("both QUITs read", timeout: .seconds(10), interval: .milliseconds(5)) {
            milter.eventIDs.count(where: { $0 == .quit }) == 2 ? true : nil
        }
        await milter.stop()
        return milter.commandsByConnection(from: 0).map { $0.map(\.id).filter { $0 != .macro } }
    }
}
