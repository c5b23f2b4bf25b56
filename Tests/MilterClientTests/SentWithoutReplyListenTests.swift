import MilterProtocol
import MilterTestSupport
import NIOCore
import Testing

@testable import MilterClient

/// The findings of the two waits that await no reply, ``MilterClientConnection/listenForStrayReplies(for:)`` and
/// the wait after QUIT (``MilterClientConfiguration/quitDrainTimeout``), name the commands sent without a reply
/// since the milter's last one (``Finding/sentWithoutReply``), as a step's findings do.
@Suite struct SentWithoutReplyListenTests {
    typealias Run = Finding.SentWithoutReply.Run

    /// NR for CONNECT and HELO, and a milter that closes on HELO: the listen after HELO finds the close at HELO,
    /// and names CONNECT and HELO.
    @Test func aCloseFoundWhileListeningNamesTheCommandsSentWithoutReply() throws {
        let script = Scripts.wellBehaved(answer: Scripts.answer(flags: [.noReplyConnect, .noReplyHelo])) { command in
            command.id == .helo ? [.close] : nil
        }
        let connection = Fixtures.open(SimulatedMilter(script: script))
        let finding = try #require(connection.listenForStrayReplies(for: .seconds(10)))
        #expect(finding.code == "eof")
        #expect(finding.step == .helo)
        #expect(finding.sentWithoutReply.runs == [Run(command: .connect), Run(command: .helo)])
        #expect("\(finding)".hasSuffix("(sent without a reply since the milter's last one: CONNECT, HELO)"))
        #expect(connection.connectionFindings.last == finding)
    }

    /// A reply to a CONNECT negotiated without one, found while listening, names CONNECT.
    @Test func aStrayReplyFoundWhileListeningNamesTheCommandsSentWithoutReply() throws {
        let script = Scripts.wellBehaved(answer: Scripts.answer(flags: [.noReplyConnect])) { command in
            command.id == .connect ? [.reply(.continue)] : nil
        }
        let connection = SimulatedConnection(
            milter: SimulatedMilter(script: script), configuration: Fixtures.configuration())
        connection.connect()
        let finding = try #require(connection.listenForStrayReplies(for: .seconds(10)))
        #expect(finding.code == "replyDespiteNoReply")
        #expect(finding.sentWithoutReply.runs == [Run(command: .connect)])
    }

    /// A reply to QUIT during the wait after it names QUIT and the commands without a reply before it.
    @Test func aReplyAfterQuitNamesQuitAndTheCommandsBeforeIt() throws {
        let script = Scripts.wellBehaved(answer: Scripts.answer(flags: [.noReplyConnect, .noReplyHelo])) { command in
            command.id == .quit ? [.reply(.continue)] : nil
        }
        var configuration = Fixtures.configuration()
        configuration.quitDrainTimeout = .seconds(10)
        let connection = Fixtures.open(SimulatedMilter(script: script), configuration: configuration)
        let findings = connection.quit()
        let finding = try #require(findings.first)
        #expect(finding.code == "replyToNoReplyCommand")
        #expect(finding.step == .quit)
        #expect(
            finding.sentWithoutReply.runs == [Run(command: .connect), Run(command: .helo), Run(command: .quit)])
        #expect(connection.connectionFindings.last == finding)
    }
}
