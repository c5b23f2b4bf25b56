import MilterClient
import MilterProtocol
import MilterTestSupport
import NIOCore
import Testing

/// XCLIENT's `LOGIN`, `DESTADDR` and `DESTPORT` change the macros of the new milter connection as Postfix's
/// `smtpd_milter_eval` reports them: `{auth_authen}` and `{auth_type}` (`XCLIENT`) at MAIL, `{daemon_addr}` and
/// `{daemon_port}` at CONNECT; an XCLIENT without `LOGIN` drops the login (`smtpd_sasl_auth_reset`).
@Suite(.tags(.integration)) struct XClientAttributeMacroTests {
    /// The default Postfix macros, and `{daemon_port}` at CONNECT, which Postfix sends only when asked.
    static let answer = Scripts.answer(symbolLists: [
        SymbolList(stage: .connect, names: ["{daemon_addr}", "{daemon_port}"]),
        SymbolList(stage: .mail, names: ["{auth_type}", "{auth_authen}", "{mail_addr}"]),
    ])

    /// Each MACRO packet of `stage` of `connection` (0 the first), as name-value pairs.
    static func values(_ milter: ScriptedMilter, connection: Int, stage: Character) -> [[String: String]] {
        let byConnection = milter.commandsByConnection(from: 0)
        guard connection < byConnection.count else { return [] }
        return byConnection[connection].compactMap { command in
            guard case .macro(let definition) = command, definition.stage == stage.asciiValue else { return nil }
            return Dictionary(definition.macros.map { ($0.name.string, $0.value.string) }) { first, _ in first }
        }
    }

    @Test func loginAndDestinationReachTheMacrosAndAnXClientWithoutLoginDropsIt() async throws {
        let milter = try await ScriptedMilter(script: Scripts.wellBehaved(answer: Self.answer))
        let connection = try await Fixtures.open(milter)
        let first = try await connection.xclient(
            XClientAttributes(
                smtpProtocol: .esmtp, login: "alice", destinationAddress: "198.51.100.25", destinationPort: "587"))
        let next = first.connection
        _ = await next.helo()
        #expect(await next.send(Fixtures.message).verdict == .accept)
        let second = try await next.xclient(XClientAttributes(name: "relay.example"))
        _ = await second.connection.helo()
        #expect(await second.connection.send(Fixtures.message).verdict == .accept)
        await second.connection.quit()
        _ = try? await pollUntil("three QUITs read", timeout: .seconds(10), interval: .milliseconds(5)) {
            milter.eventIDs.count(where: { $0 == .quit }) == 3 ? true : nil
        }
        await milter.stop()
        let original = Self.values(milter, connection: 0, stage: "C").first ?? [:]
        #expect(original["{daemon_addr}"] == "192.0.2.25" && original["{daemon_port}"] == "25", "\(original)")
        let connect = Self.values(milter, connection: 1, stage: "C").first ?? [:]
        #expect(connect["{daemon_addr}"] == "198.51.100.25", "\(connect)")
        #expect(connect["{daemon_port}"] == "587", "\(connect)")
        let mail = Self.values(milter, connection: 1, stage: "M").first ?? [:]
        #expect(mail["{auth_authen}"] == "alice" && mail["{auth_type}"] == "XCLIENT", "\(mail)")
        // The second XCLIENT gave no LOGIN: none; DESTADDR and DESTPORT stay as the first gave them.
        let later = Self.values(milter, connection: 2, stage: "M").first ?? [:]
        #expect(later["{mail_addr}"] != nil && later["{auth_authen}"] == nil && later["{auth_type}"] == nil, "\(later)")
        #expect(Self.values(milter, connection: 2, stage: "C").first?["{daemon_addr}"] == "198.51.100.25")
    }

    /// A session without XCLIENT has no login: the MAIL macros have no `{auth_authen}`.
    @Test func withoutXClientNoLoginIsSent() async throws {
        let milter = try await ScriptedMilter(script: Scripts.wellBehaved(answer: Self.answer))
        let connection = try await Fixtures.open(milter)
        #expect(await connection.send(Fixtures.message).verdict == .accept)
        await connection.quit()
        _ = try? await pollUntil("QUIT read", timeout: .seconds(10), interval: .milliseconds(5)) {
            milter.eventIDs.contains(.quit) ? true : nil
        }
        await milter.stop()
        let mail = Self.values(milter, connection: 0, stage: "M").first ?? [:]
        #expect(mail["{mail_addr}"] != nil && mail["{auth_authen}"] == nil, "\(mail)")
    }
}
