import Foundation
import MilterCapture
import MilterTestSupport
import NIOCore
import Testing

@testable import MilterReplayKit

/// `RecordingFile.finish()` queues a barrier and makes the summary once the writer has reached it. Blocks of a
/// connection still closing after that (one the proxy accepted as it stopped) were queued after the barrier and
/// then written or lost, never counted; they are now counted as dropped, in the summary, and not written.
@Suite struct RecordFinishTests {
    @Test func blocksAfterTheStopBeganAreCountedAsDropped() async throws {
        let directory = try Scratch.makeDirectory("record-finish")
        defer { Scratch.remove(directory) }
        let path = directory.appendingPathComponent("recorded.pcapng").path
        // The disk holds every write after the header until the test lets it go, so that the stop begins while
        // the connection's opening is still queued; a finish that gives up would count the queue as dropped too.
        let stalled = RecordStalledDiskTests.StalledSink()
        defer { stalled.open() }
        let file = try RecordingFile(
            path: path, limits: RecordingFile.Limits(finishTimeout: .seconds(600)), sink: stalled.sink,
            report: { _ in })
        let (client, server) = (
            Endpoint(socketAddress: nil, fallbackPort: 40_001), Endpoint(socketAddress: nil, fallbackPort: 7044)
        )
        file.begin()
        let connection = file.open(client: client, server: server)

        let finishing = Task { await file.finish() }
        _ = try await pollUntil("the stop to begin", timeout: .seconds(60)) { file.isFinishing ? true : nil }
        let late = ByteBuffer(bytes: Array("late bytes of a closing connection".utf8))
        file.record(late, from: .serverToClient, on: connection)
        file.close(connection, from: .clientToServer)
        stalled.open()
        let summary = await finishing.value

        // What the late blocks are, from a recorder of the same connection.
        var recorder = CaptureRecorder()
        let at = CaptureTimestamp(seconds: 0, nanoseconds: 0)
        let (same, opening) = recorder.open(client: client, server: server, at: at)
        let lateBlocks = [
            recorder.record(late, from: .serverToClient, on: same, at: at),
            recorder.close(same, from: .clientToServer, at: at),
        ]
        #expect(summary.error == nil)
        #expect(summary.dropped.bytes == lateBlocks.map(\.readableBytes).reduce(0, +), "\(summary)")
        #expect(summary.dropped.blocks >= 2, "\(summary)")
        // The file has the header and the opening, nothing after the barrier.
        #expect(summary.connections == 1)
        #expect(summary.bytes == recorder.fileHeader().readableBytes + opening.readableBytes, "\(summary)")
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? -1
        #expect(size == summary.bytes)
    }

    /// A block that comes once `finish()` has returned (a connection closing after the summary) was counted
    /// nowhere: the summary was out, and nothing said it. It is now said on standard error and counted in
    /// `dropped`, and still not written.
    @Test func blocksAfterTheSummaryAreSaidAndCounted() async throws {
        let directory = try Scratch.makeDirectory("record-after-summary")
        defer { Scratch.remove(directory) }
        let path = directory.appendingPathComponent("recorded.pcapng").path
        let said = RecordStalledDiskTests.Said()
        let file = try RecordingFile(path: path, report: { said.append($0) })
        let (client, server) = (
            Endpoint(socketAddress: nil, fallbackPort: 40_002), Endpoint(socketAddress: nil, fallbackPort: 7044)
        )
        file.begin()
        let connection = file.open(client: client, server: server)
        let summary = await file.finish()
        #expect(summary.dropped == RecordingFile.Dropped(), "\(summary)")

        let late = ByteBuffer(bytes: Array("bytes after the summary".utf8))
        file.record(late, from: .clientToServer, on: connection)
        var recorder = CaptureRecorder()
        let at = CaptureTimestamp(seconds: 0, nanoseconds: 0)
        let (same, _) = recorder.open(client: client, server: server, at: at)
        let blocks = recorder.record(late, from: .clientToServer, on: same, at: at)

        #expect(file.dropped.bytes == blocks.readableBytes && file.dropped.blocks >= 1, "\(file.dropped)")
        let line = "\(file.dropped.blocks) blocks (\(blocks.readableBytes) bytes) of a connection still closing came "
        #expect(said.all.contains { $0.contains(line) && $0.contains("after the summary") }, "\(said.all)")
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? -1
        #expect(size == summary.bytes)
    }
}
