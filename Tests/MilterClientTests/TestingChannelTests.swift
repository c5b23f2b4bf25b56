import MilterClient
import MilterProtocol
import MilterTestSupport
import NIOCore
import NIOEmbedded
import Testing

/// The actor carrying out the state machine's actions on a `NIOAsyncTestingChannel`: the
/// channel, the reply inbox and its timer, with no socket and the loop's clock moved by hand.
@Suite struct TestingChannelTests {
    /// Sends one message on a fresh connection, answered by `script` until the channel closes,
    /// and closes without QUIT. Returns the result, the connection's findings, and the IDs of the
    /// commands the milter received after CONNECT, MACRO packets left out.
    static func run(
        _ script: @escaping ScriptedMilter.Script, configuration: MilterClientConfiguration = Fixtures.configuration()
    ) async throws -> (TransactionResult, [Finding], [MilterCommand.ID]) {
        let (connection, milter, _) = try await connected(script, configuration: configuration)
        let answering = Task { await milter.answerUntilClosed() }
        let result = await connection.send(Fixtures.message)
        await connection.closeWithoutQuit()
        let ids = await answering.value.map(\.id).filter { $0 != .macro }
        return (result, await connection.connectionFindings, ids)
    }

    /// A connection after OPTNEG and CONNECT, with the milter on the channel's far side.
    static func connected(
        _ script: @escaping ScriptedMilter.Script, configuration: MilterClientConfiguration = Fixtures.configuration()
    ) async throws -> (MilterClientConnection, TestingChannelMilter, NIOAsyncTestingChannel) {
        let channel = NIOAsyncTestingChannel()
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 7044))
        let milter = TestingChannelMilter(channel, script: script)
        async let opened = MilterClientConnection.open(on: channel, configuration: configuration)
        #expect(try await milter.answerNextWrite().map(\.id) == [.optionNegotiation])
        let connection = try await opened
        async let connected = connection.connect()
        #expect(try await milter.answerNextWrite().map(\.id) == [.macro, .connect])
        #expect(await connected.finalReply == .continue)
        return (connection, milter, channel)
    }

    @Test func aMessageThenQuitClosesWithoutWaitingForTheMilter() async throws {
        let (connection, milter, channel) = try await Self.connected(Scripts.wellBehaved())
        async let sent = connection.send(Fixtures.message)
        var ids: [MilterCommand.ID] = []
        while ids.last != .abort { ids += try await milter.answerNextWrite().map(\.id).filter { $0 != .macro } }
        let result = await sent
        #expect(result.verdict == .accept)
        #expect(ids.first == .mail && ids.suffix(2) == [.endOfMessage, .abort])
        async let quit = connection.quit()
        #expect(try await milter.answerNextWrite().map(\.id) == [.quit])
        // No time passes on the loop's clock: the close follows QUIT at once.
        #expect(await quit.isEmpty)
        #expect(!channel.isActive)
    }

    @Test func noReplyAtEndOfMessageTimesOutOnTheLoopClock() async throws {
        let (connection, milter, channel) = try await Self.connected(Scripts.wellBehaved(endOfMessage: []))
        async let sent = connection.send(Fixtures.message)
        while try await !milter.answerNextWrite().contains(where: { $0.id == .endOfMessage }) {}
        await channel.testingEventLoop.advanceTime(by: .seconds(30))
        let result = await sent
        #expect(result.findings.map(\.code) == ["timeout"])
        #expect(result.findings.first?.step == .endOfMessage)
        #expect(result.verdict == .tempfail)
    }
}
