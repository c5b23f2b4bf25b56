import MilterClient
import MilterProtocol
import MilterTestSupport
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import Testing

/// ``MilterFrameTap`` sees every frame the client writes and every reply frame it reads, one call per
/// frame, in wire order, however the bytes were grouped into writes and reads.
@Suite struct FrameTapTests {
    /// The tap's events, kept in order.
    final class Recorder: Sendable {
        let events = NIOLockedValueBox<[MilterFrameTap.Event]>([])
        var tap: MilterFrameTap { MilterFrameTap { [self] event in events.withLockedValue { $0.append(event) } } }

        /// Each frame as its direction and command byte: `>O` for a command, `<c` for a reply.
        var trace: [String] {
            events.withLockedValue { events in
                events.map { ($0.direction == .toMilter ? ">" : "<") + String(UnicodeScalar($0.frame.command)) }
            }
        }
    }

    @Test func framesWrittenTogetherAndRepliesReadTogetherAreReportedOneByOne() async throws {
        let recorder = Recorder()
        var configuration = Fixtures.configuration()
        configuration.frameTap = recorder.tap
        let channel = NIOAsyncTestingChannel()
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 7044))
        // At end of message the header and the verdict arrive in one read.
        let addHeader = MilterReply.addHeader(HeaderField(name: "X-Tap", value: "seen"))
        let milter = TestingChannelMilter(
            channel, script: Scripts.wellBehaved(endOfMessage: [.together([addHeader, .accept])]))
        async let opened = MilterClientConnection.open(on: channel, configuration: configuration)
        try await milter.answerNextWrite()
        let connection = try await opened
        async let connected = connection.connect()
        // MACRO and CONNECT leave in one write.
        #expect(try await milter.answerNextWrite().map(\.id) == [.macro, .connect])
        _ = await connected
        #expect(recorder.trace == [">O", "<O", ">D", ">C", "<c"])

        let answering = Task { await milter.answerUntilClosed() }
        let result = await connection.send(Fixtures.message)
        await connection.closeWithoutQuit()
        let received = await answering.value
        #expect(result.verdict == .accept)

        let events = recorder.events.withLockedValue { $0 }
        let sent = events.filter { $0.direction == .toMilter }
        // Every command the milter decoded was reported once, in order, with its bytes.
        var expected = ByteBuffer()
        for command in received { _ = try expected.writeMilterCommand(command) }
        var reported = ByteBuffer()
        for event in sent.dropFirst(3) { reported.writeFrame(event.frame) }
        #expect(reported == expected)
        #expect(recorder.trace.suffix(4) == [">E", "<h", "<a", ">A"])
        let header = try #require(events.first { $0.frame.command == MilterReply.ID.addHeader.rawValue })
        #expect(try MilterReply(frame: header.frame) == addHeader)
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.time <= $1.time })
    }

    @Test(.tags(.integration)) func aRawWriteEndingInsideAFrameIsReportedWhenTheFrameIsWhole() async throws {
        // A milter that never answers UNKNOWN: each raw write is written, then waits out its short wait.
        let milter = try await ScriptedMilter(script: Scripts.wellBehaved { $0.id == .unknown ? [] : nil })
        let recorder = Recorder()
        var configuration = Fixtures.configuration()
        configuration.frameTap = recorder.tap
        let connection = try await Fixtures.open(milter, configuration: configuration)
        let unknown: [UInt8] = [0, 0, 0, 5, 0x55, 0x46, 0x4F, 0x4F, 0]
        // Two whole UNKNOWN frames and the first six bytes of a third, then the rest.
        let first = await connection.writeRaw(unknown + unknown + unknown.prefix(6), waitingUpTo: .milliseconds(50))
        #expect(recorder.trace.filter { $0.hasPrefix(">") }.suffix(2) == [">U", ">U"])
        let second = await connection.writeRaw(Array(unknown.dropFirst(6)), waitingUpTo: .milliseconds(50))
        await connection.closeWithoutQuit()
        await milter.stop()
        #expect(first == .silent(.milliseconds(50)) && second == .silent(.milliseconds(50)))
        let sent = recorder.events.withLockedValue { $0.filter { $0.direction == .toMilter } }
        #expect(sent.map { String(UnicodeScalar($0.frame.command)) } == ["O", "D", "C", "D", "H", "U", "U", "U"])
        #expect(sent.suffix(3).allSatisfy { Array($0.frame.payload.readableBytesView) == [0x46, 0x4F, 0x4F, 0] })
    }
}

extension ByteBuffer {
    /// Appends `frame` with its length field.
    fileprivate mutating func writeFrame(_ frame: MilterFrame) {
        writeInteger(UInt32(frame.length))
        writeInteger(frame.command)
        writeImmutableBuffer(frame.payload)
    }
}
