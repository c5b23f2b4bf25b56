import MilterProtocol
import MilterTestSupport
import NIOCore
import Testing

@testable import ReferenceMilter

/// The frame timeout: once a frame's first byte has arrived, the whole frame must arrive in time, so
/// a peer trickling bytes after OPTNEG is closed long before the idle and read timeouts (which count
/// whole commands); a session that sends whole frames, however slowly between them, is not.
@Suite(.timingSensitive) struct FrameTimeoutTests {
    static let frameTimeout = TimeAmount.milliseconds(300)
    /// Between two trickled bytes: each byte comes well within the frame timeout, the frame does not.
    static let trickleInterval = Duration.milliseconds(100)

    static func milter() async throws -> EmbeddedMilter {
        try await startMilter {
            $0.timeouts.idle = .seconds(600)
            $0.timeouts.read = .seconds(600)
            $0.timeouts.frame = Self.frameTimeout
        }
    }

    static func bytes(_ command: MilterCommand) throws -> [UInt8] {
        var buffer = ByteBuffer()
        try buffer.writeMilterCommand(command)
        return Array(buffer.readableBytesView)
    }

    @Test func aPeerTricklingAFrameAfterOPTNEGIsClosed() async throws {
        let milter = try await Self.milter()
        let mta = try await TestMTA.connect(to: milter)
        try await mta.negotiate()
        try await mta.send([Cmd.connect, Cmd.helo])
        // 70 bytes at 100 ms each: 7 s for a frame that may take 0.3 s.
        let frame = try Self.bytes(Cmd.mail("<trickle-\(String(repeating: "x", count: 40))@example.com>"))
        var sent = 0
        while sent < frame.count, await mta.isOpen {
            do { try await mta.sendRaw([frame[sent]]) } catch { break }
            sent += 1
            try await Task.sleep(for: Self.trickleInterval)
        }
        #expect(sent < frame.count, "the whole trickled frame was taken")
        #expect(try await mta.isClosed())
        await mta.close()
        await milter.shutdown()
    }

    @Test func pausesBetweenWholeFramesDoNotCount() async throws {
        let milter = try await Self.milter()
        let mta = try await TestMTA.connect(to: milter)
        try await mta.negotiate()
        try await mta.send([Cmd.connect, Cmd.helo])
        // Silence between frames, longer than the frame timeout, is the idle timeout's business. Each write below
        // is small, its frames whole in one read: none of them needs the server to read again within 0.3 s.
        try await Task.sleep(for: .milliseconds(700))
        #expect(try await mta.message(Cmd.message(subject: "small")).last == .accept)
        try await Task.sleep(for: .milliseconds(700))
        #expect(try await mta.message(Cmd.message(subject: "again", queueID: "Q2")).last == .accept)
        await mta.close()
        await milter.shutdown()
    }

    @Test func framesArrivingInSeveralReadsAreTakenWhole() async throws {
        // A frame timeout a large frame's parts meet however long the writer (the test's own event loop, not a
        // trickling peer) is starved between them: here the parts are only to be put together, not timed.
        let milter = try await startMilter {
            $0.timeouts.idle = .seconds(600)
            $0.timeouts.read = .seconds(600)
            $0.timeouts.frame = .seconds(60)
        }
        let mta = try await TestMTA.connect(to: milter)
        try await mta.negotiate()
        try await mta.send([Cmd.connect, Cmd.helo])
        // Body chunks of 60 KiB arrive in several reads each: parts of frames that complete at once.
        let chunk = String(repeating: "0123456789abcde\n", count: 3_840)
        let commands =
            Cmd.message(subject: "big", body: chunk).dropLast() + Array(repeating: Cmd.body(chunk), count: 7) + [
                Cmd.eom
            ]
        let replies = try await mta.message(commands)
        #expect(replies.last == .accept, "\(replies)")
        await mta.close()
        await milter.shutdown()
    }
}
