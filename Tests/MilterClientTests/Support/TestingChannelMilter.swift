import MilterProtocol
import MilterTestSupport
import NIOCore
import NIOEmbedded

/// A ``ScriptedMilter`` script on the far side of a `NIOAsyncTestingChannel`: it reads what the
/// client writes and writes the script's replies back in, with no socket. A pause only ends
/// one read (what follows it arrives in the next); a test moves the loop's clock itself.
struct TestingChannelMilter: Sendable {
    let channel: NIOAsyncTestingChannel
    let script: ScriptedMilter.Script

    init(_ channel: NIOAsyncTestingChannel, script: @escaping ScriptedMilter.Script) {
        self.channel = channel
        self.script = script
    }

    /// Reads the client's next write, answers it as the script says, and returns its commands.
    @discardableResult
    func answerNextWrite() async throws -> [MilterCommand] {
        var bytes = try await channel.waitForOutboundWrite(as: ByteBuffer.self)
        // The client writes whole frames: each write decodes on its own.
        var decoder = MilterCommandDecoder()
        var commands: [MilterCommand] = []
        while let command = try decoder.decode(buffer: &bytes) { commands.append(command) }
        var replies = ByteBuffer()
        for action in commands.flatMap(script) {
            switch action {
            case .reply(let reply): try replies.writeMilterReply(reply)
            case .together(let together): for reply in together { try replies.writeMilterReply(reply) }
            case .raw(let raw): replies.writeBytes(raw)
            case .pause: try await flush(&replies)
            case .waitFor(let counter, let target):
                try await flush(&replies)
                await withCheckedContinuation { done in counter.whenReaching(target) { done.resume() } }
            case .close:
                try await flush(&replies)
                try await channel.close()
            case .stopReading: break  // A testing channel has no socket buffers: its writes never stall.
            }
        }
        try await flush(&replies)
        return commands
    }

    /// Answers every write until the channel closes; returns the commands received.
    func answerUntilClosed() async -> [MilterCommand] {
        var commands: [MilterCommand] = []
        while let next = try? await answerNextWrite() { commands += next }
        return commands
    }

    private func flush(_ replies: inout ByteBuffer) async throws {
        guard replies.readableBytes > 0 else { return }
        try await channel.writeInbound(replies)
        replies.clear()
    }
}
