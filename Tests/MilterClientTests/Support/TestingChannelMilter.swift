import MilterProtocol
import NIOCore
import NIOEmbedded

/// A ``ScriptedMilter`` script on the far side of a `NIOAsyncTestingChannel`: it reads what the
/// client writes and writes the script's replies back in, with no socket. Pauses are not
/// played: a test moves the loop's clock itself.
struct TestingChannelMilter {
    let channel: NIOAsyncTestingChannel
    let script: ScriptedMilter.Script
    private var decoder = MilterCommandDecoder()

    init(_ channel: NIOAsyncTestingChannel, script: @escaping ScriptedMilter.Script) {
        self.channel = channel
        self.script = script
    }

    /// Reads the client's next write, answers it as the script says, and returns its commands.
    @discardableResult
    mutating func answerNextWrite() async throws -> [MilterCommand] {
        var bytes = try await channel.waitForOutboundWrite(as: ByteBuffer.self)
        var commands: [MilterCommand] = []
        while let command = try decoder.decode(buffer: &bytes) { commands.append(command) }
        var replies = ByteBuffer()
        for action in commands.flatMap(script) {
            switch action {
            case .reply(let reply): try replies.writeMilterReply(reply)
            case .together(let together): for reply in together { try replies.writeMilterReply(reply) }
            case .raw(let raw): replies.writeBytes(raw)
            case .pause, .close: break
            }
        }
        if replies.readableBytes > 0 { try await channel.writeInbound(replies) }
        return commands
    }
}
