import MilterClient
import MilterProtocol
import MilterTestSupport
import NIOCore
import Testing

/// The client decodes replies from the bytes as they arrive: a frame split over several reads is
/// still one reply, and a frame cut short by the milter closing is a finding, not a hang. Each
/// read is a write into a `NIOAsyncTestingChannel`: no socket.
@Suite struct ReplyFramingTests {
    /// REPLYCODE "550 5.7.1 split" as bytes: length, command byte, text, NUL.
    private static let replyCode: [UInt8] = {
        let text = Array("550 5.7.1 split".utf8) + [0]
        let length = UInt32(text.count + 1)
        return withUnsafeBytes(of: length.bigEndian, Array.init) + [UInt8(ascii: "y")] + text
    }()

    @Test func aReplySplitAcrossReadsIsOneReply() async throws {
        let pieces: [ScriptedMilter.Action] = [
            .raw(Array(Self.replyCode[..<2])), .pause(.milliseconds(50)),
            .raw(Array(Self.replyCode[2..<7])), .pause(.milliseconds(50)),
            .raw(Array(Self.replyCode[7...])),
        ]
        let (result, findings, _) = try await TestingChannelTests.run(Scripts.wellBehaved(endOfMessage: pieces))
        #expect(result.findings.isEmpty)
        #expect(findings.isEmpty)
        #expect(result.verdict == .reject)
        #expect(result.smtpReply == "550 5.7.1 split")
    }

    @Test func aSecondReplyInTheSameReadIsStrayNotTheNextStepsReply() async throws {
        // Both CONTINUEs arrive in one segment; the client must not take the second as the reply to RCPT.
        let (result, _, ids) = try await TestingChannelTests.run(
            Scripts.wellBehaved { $0.id == .mail ? [.together([.continue, .continue])] : nil })
        #expect(result.findings.map(\.code) == ["unsolicitedReply"])
        #expect(result.findings.first?.step == .mail)
        #expect(result.verdict == .tempfail)
        #expect(!ids.contains(.recipient))
    }

    @Test func aFloodInTheSameReadIsFoundLikeOneStrayReply() async throws {
        // MAIL's reply and 2,000 more in one read, past the unread-reply limit (64,000 bytes, 1,000
        // replies): MAIL still gets its reply, and the rest are the stray reply's finding, as for
        // one reply too many above, not the limit's at MAIL.
        var configuration = Fixtures.configuration()
        configuration.maximumReplyLength = 1000
        configuration.limits.maximumUnreadReplyBytes = 64_000
        let flood = [MilterReply](repeating: .continue, count: 2_001)
        let (result, _, ids) = try await TestingChannelTests.run(
            Scripts.wellBehaved { $0.id == .mail ? [.together(flood)] : nil }, configuration: configuration)
        #expect(result.findings.map(\.code) == ["unsolicitedReply"])
        #expect(result.findings.first?.step == .mail)
        #expect(result.verdict == .tempfail)
        #expect(!ids.contains(.recipient))
    }

    @Test func aFrameCutShortByEOFIsATruncatedFrame() async throws {
        let (result, _, _) = try await TestingChannelTests.run(
            Scripts.wellBehaved(endOfMessage: [.raw(Array(Self.replyCode[..<9])), .pause(.milliseconds(50)), .close]))
        #expect(result.findings.map(\.code) == ["truncatedFrame"])
        #expect(result.findings.first?.step == .endOfMessage)
        #expect(result.verdict == .tempfail)
    }
}
