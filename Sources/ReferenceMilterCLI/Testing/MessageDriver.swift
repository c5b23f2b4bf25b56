import MailMessage
import MilterProtocol
import NIOCore
import NIOPosix
import ReferenceMilter

/// What a milter answered for one message.
public struct DriveResult: Hashable, Sendable {
    /// The command whose reply ended the message: end of message, or an earlier event that refused it.
    public var stage: MilterCommand.ID
    /// The final reply.
    public var final: MilterReply
    /// The modifications, in the order received.
    public var modifications: [MilterReply]
    /// The quarantine reason, if the milter quarantined the message.
    public var quarantine: String?
    /// Recipients refused at RCPT, with the reply.
    public var refusedRecipients: [String: MilterReply]
}

/// Puts one message through a milter over TCP, as Postfix would, checking every reply with
/// ``MTASession``; a protocol error is thrown.
enum MessageDriver {
    static func run(
        message: RawMessage, envelope: PostfixScript.Envelope, host: String, port: Int, timeout: TimeAmount
    ) async throws -> DriveResult {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(timeout)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(MilterReplyDecoder()))
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: timeout))
                    try channel.pipeline.syncOperations.addHandler(CloseOnIdle())
                    return try NIOAsyncChannel<MilterReply, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var conversation = Conversation(replies: inbound.makeAsyncIterator(), outbound: outbound)
            return try await conversation.drive(message: message, envelope: envelope)
        }
    }

    private struct Conversation {
        var replies: NIOAsyncChannelInboundStream<MilterReply>.AsyncIterator
        let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
        var session = MTASession(rules: .postfix)
        var result = DriveResult(
            stage: .endOfMessage, final: .continue, modifications: [], quarantine: nil, refusedRecipients: [:])

        mutating func drive(message: RawMessage, envelope: PostfixScript.Envelope) async throws -> DriveResult {
            for command in PostfixScript.opening(envelope) + PostfixScript.envelopeCommands(envelope) {
                if let refusal = try await send(command) {
                    guard case .recipient(let rcpt) = command else { return finished(command.id, refusal) }
                    result.refusedRecipients[rcpt.address.string] = refusal
                }
            }
            if result.refusedRecipients.count == envelope.recipients.count, let refusal = result.refusedRecipients.first
            {
                return finished(.recipient, refusal.value)
            }
            for command in PostfixScript.content(message, queueID: envelope.queueID) {
                if let refusal = try await send(command) { return finished(command.id, refusal) }
            }
            _ = try await send(.abort)
            _ = try await send(.quit)
            return result
        }

        private mutating func finished(_ stage: MilterCommand.ID, _ reply: MilterReply) -> DriveResult {
            result.stage = stage
            result.final = reply
            return result
        }

        /// Sends a command; returns the final reply when it ends the message (anything but CONTINUE).
        private mutating func send(_ command: MilterCommand) async throws -> MilterReply? {
            let decision = try session.commandToSend(command)
            guard decision != .skipEvent else { return nil }
            var buffer = ByteBuffer()
            try buffer.writeMilterCommand(command)
            try await outbound.write(buffer)
            guard decision == .sendAndAwaitReply else { return nil }
            while true {
                guard let reply = try await replies.next() else { throw DriveError.closedByMilter(command.id) }
                switch try session.replyReceived(reply) {
                case .negotiated, .progress: if command.id == .optionNegotiation { return nil }
                case .quarantine(let reason): result.quarantine = reason.string
                case .modification(let modification): result.modifications.append(modification)
                case .final(let final):
                    if command.id == .endOfMessage { return final }
                    return final == .continue || final == .skip ? nil : final
                }
            }
        }
    }
}

/// The milter ended the conversation early.
public enum DriveError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The milter closed the connection while a reply was due (or stayed silent past the timeout).
    case closedByMilter(MilterCommand.ID)

    /// The error in words.
    public var description: String {
        switch self {
        case .closedByMilter(let id): "the milter closed the connection while the reply to \(id) was due"
        }
    }
}

/// Closes the connection when the milter stays silent past the read timeout.
final class CloseOnIdle: ChannelInboundHandler {
    typealias InboundIn = MilterReply

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
