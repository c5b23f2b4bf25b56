// One Postfix-shaped milter transaction, as the codec handles it on both sides: OPTNEG, CONNECT,
// HELO, MAIL, RCPT, DATA, 10 headers, EOH, a 4 KB body, EOM, ABORT and QUIT with their MACRO
// packets, and the milter's replies. The bytes are the fuzz seeds that SeedCorpusTests pins.
import Foundation
import MilterProtocol
import NIOCore

/// The transaction's bytes and values in both directions.
public struct CodecWorkload: Sendable {
    /// What the MTA writes.
    public let commandBytes: ByteBuffer
    /// What the milter writes.
    public let replyBytes: ByteBuffer
    /// The commands, decoded once.
    public let commands: [MilterCommand]
    /// The replies, decoded once.
    public let replies: [MilterReply]

    /// Loads the transaction from fixtures/fuzz/milterprotocol.
    public init() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../fixtures/fuzz/milterprotocol").standardizedFileURL
        commandBytes = ByteBuffer(
            bytes: try Data(contentsOf: directory.appendingPathComponent("postfix-session.commands")))
        replyBytes = ByteBuffer(
            bytes: try Data(contentsOf: directory.appendingPathComponent("postfix-session.replies")))
        commands = try Self.decodeCommands(commandBytes)
        replies = try Self.decodeReplies(replyBytes)
    }

    /// Decodes every command of `bytes`.
    public static func decodeCommands(_ bytes: ByteBuffer) throws -> [MilterCommand] {
        var buffer = bytes
        var decoder = MilterCommandDecoder()
        var out: [MilterCommand] = []
        out.reserveCapacity(40)
        while let command = try decoder.decode(buffer: &buffer) { out.append(command) }
        return out
    }

    /// Decodes every reply of `bytes`.
    public static func decodeReplies(_ bytes: ByteBuffer) throws -> [MilterReply] {
        var buffer = bytes
        var decoder = MilterReplyDecoder()
        var out: [MilterReply] = []
        out.reserveCapacity(24)
        while let reply = try decoder.decode(buffer: &buffer) { out.append(reply) }
        return out
    }

    /// Both sides of one transaction: the MTA encodes its commands and decodes the replies, the
    /// milter decodes the commands and encodes its replies. Returns a byte count to keep it alive.
    public func runTransaction(mta: inout MilterEncoder, milter: inout MilterEncoder) throws -> Int {
        let sent = try mta.encode(commands: commands)
        let received = try Self.decodeCommands(sent)
        let answered = try milter.encode(replies: replies)
        let read = try Self.decodeReplies(answered)
        return sent.readableBytes + answered.readableBytes + received.count + read.count
    }
}
