import MilterProtocol
import MilterTestSupport
import NIOCore
import NIOEmbedded
import Testing

@testable import ReferenceMilter

/// A flood of small frames in one read is decoded ``MilterConnectionHandler/commandsPerTurn`` commands at a
/// time: the rest wait for a task on the loop, with reading paused, so that the loop serves the other
/// connections and runs its timers in between. The testing loop runs that task only when told to.
@Suite struct CommandsPerTurnTests {
    typealias Connection = CommandsAfterCloseTests.Connection

    static let header = Cmd.header("X-Filler", "x")
    static let continueReply = MilterReply.continue

    /// A connection inside a message, its replies so far taken. Version 2 has no no-reply flags: every
    /// header is answered, and the replies count the commands handled.
    static func inMessage() async throws -> Connection {
        let connection = try await Connection.open()
        for command in [
            Cmd.offer(.v2), Cmd.connect, Cmd.helo, Cmd.mail("alice@example.com"), Cmd.rcpt("bob@example.org"),
        ] {
            try await connection.send([command])
        }
        #expect(connection.replies.withLockedValue { $0.count } == 5)
        connection.replies.withLockedValue { $0 = [] }
        return connection
    }

    /// The `autoRead` the handler set last (the testing channel records it; `getOption` always says true).
    static func autoRead(_ channel: NIOAsyncTestingChannel) -> Bool? {
        channel.options.last { $0.option is ChannelOptions.Types.AutoReadOption }?.value as? Bool
    }

    @Test func aFloodIsDecodedInTurnsWithReadingPausedBetween() async throws {
        let connection = try await Self.inMessage()
        let perTurn = MilterConnectionHandler.commandsPerTurn
        try await connection.send(Array(repeating: Self.header, count: 2 * perTurn + 10))
        // One turn's worth answered; the rest wait, and the channel does not read meanwhile.
        #expect(connection.replies.withLockedValue { $0.count } == perTurn)
        #expect(Self.autoRead(connection.channel) == false)

        await connection.channel.testingEventLoop.run()
        #expect(connection.replies.withLockedValue { $0.count } == 2 * perTurn + 10)
        #expect(connection.replies.withLockedValue { $0 }.allSatisfy { $0 == Self.continueReply })
        #expect(Self.autoRead(connection.channel) == true)
        #expect(connection.channel.isActive)
        await connection.finish()
    }

    @Test func bytesReadWhileCommandsWaitComeAfterThem() async throws {
        let connection = try await Self.inMessage()
        let perTurn = MilterConnectionHandler.commandsPerTurn
        try await connection.send(Array(repeating: Self.header, count: perTurn + 5))
        // Read before the task ran (NIO reads a connection up to four times a turn): after the waiting headers.
        try await connection.send([Cmd.header("X-Last", "y"), .endOfHeaders])
        #expect(connection.replies.withLockedValue { $0.count } == perTurn)

        await connection.channel.testingEventLoop.run()
        #expect(connection.replies.withLockedValue { $0.count } == perTurn + 7)
        #expect(Self.autoRead(connection.channel) == true)
        await connection.finish()
    }

    @Test func aConnectionClosedWhileCommandsWaitDecodesNoMore() async throws {
        let connection = try await Self.inMessage()
        let perTurn = MilterConnectionHandler.commandsPerTurn
        try await connection.send(Array(repeating: Self.header, count: perTurn + 5))
        // Closed on the loop before the task runs (`close()` from here would run it first).
        let channel = connection.channel
        try await channel.testingEventLoop.executeInContext { channel.close(promise: nil) }
        #expect(!channel.isActive)

        await connection.channel.testingEventLoop.run()
        #expect(connection.replies.withLockedValue { $0.count } == perTurn)
        await connection.finish()
    }
}
