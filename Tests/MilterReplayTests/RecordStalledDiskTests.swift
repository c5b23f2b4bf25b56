import Foundation
import MilterCapture
import MilterClient
import MilterTestSupport
import NIOConcurrencyHelpers
import NIOPosix
import Testing

@testable import MilterReplayKit

/// `milter-replay record` with a disk that stops taking writes: the capture file's writes block until the test
/// lets them go, as a stalled disk (or an NFS server gone away) blocks them. The recorder wrote on the event loop
/// that relays the connection, so one stalled write stalled every proxied connection on that loop; now a writer
/// thread of its own writes, the mail flows, and what did not fit in its queue is dropped, counted and said.
@Suite(.tags(.integration)) struct RecordStalledDiskTests {
    /// Writes that wait until ``open()``, after the first (the file's header).
    final class StalledSink: Sendable {
        private let gate = ConditionLock(value: false)
        private let writes = NIOLockedValueBox(0)

        var sink: CaptureSink {
            CaptureSink { descriptor, bytes in
                if self.writes.withLockedValue({ count in
                    count += 1
                    return count > 1
                }) {
                    self.gate.lock(whenValue: true)
                    self.gate.unlock()
                }
                return CaptureSink.descriptor.write(descriptor, bytes)
            }
        }

        func open() {
            gate.lock()
            gate.unlock(withValue: true)
        }
    }

    /// What the recording said on standard error.
    final class Said: Sendable {
        private let lines = NIOLockedValueBox<[String]>([])
        func append(_ line: String) { lines.withLockedValue { $0.append(line) } }
        var all: [String] { lines.withLockedValue { $0 } }
    }

    /// A recording proxy to a well-behaved scripted milter, on one event loop of its own (a stalled write on it
    /// would stall every connection), whose capture file's writes wait for ``StalledSink/open()``; `begin()` done.
    struct Rig {
        let directory: URL
        let path: String
        let stalled = StalledSink()
        let said = Said()
        let file: RecordingFile
        let proxy: RecordProxy
        let port: Int
        private let milter: ScriptedMilter
        private let group: MultiThreadedEventLoopGroup

        static func start(_ label: String, limits: RecordingFile.Limits) async throws -> Rig {
            let directory = try Scratch.makeDirectory(label)
            do {
                return try await Rig(directory: directory, limits: limits)
            } catch {
                Scratch.remove(directory)
                throw error
            }
        }

        private init(directory: URL, limits: RecordingFile.Limits) async throws {
            self.directory = directory
            path = directory.appendingPathComponent("recorded.pcapng").path
            file = try RecordingFile(path: path, limits: limits, sink: stalled.sink, report: said.append)
            milter = try await ScriptedMilter(script: Scripts.wellBehaved())
            group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            proxy = RecordProxy(
                upstream: .inet(host: "127.0.0.1", port: milter.port), file: file, limits: RecordProxy.Limits(),
                group: group)
            port = try await proxy.start(listen: .inet(host: "127.0.0.1", port: 0)).port ?? 0
            file.begin()
        }

        /// Stops the proxy's event loop and the milter (the proxy and the file are the test's to stop, the directory
        /// its to remove).
        func stop() async throws {
            try await group.shutdownGracefully()
            await milter.stop()
        }
    }

    @Test func aStalledDiskNeitherStallsTheMailNorLosesBlocksUnsaid() async throws {
        // A queue of 4 KiB: a message's session is more than that, so blocks are dropped while the disk is stalled.
        let rig = try await Rig.start("record-stalled", limits: RecordingFile.Limits(maximumQueuedBytes: 4096))
        defer { Scratch.remove(rig.directory) }
        let (stalled, said, file, proxy, port, path) = (rig.stalled, rig.said, rig.file, rig.proxy, rig.port, rig.path)

        // Five messages, each on a connection of its own, while the disk takes nothing. Should they not all be
        // answered within 60 s (they take milliseconds), the disk is let go so that the test ends, and fails.
        let flowed = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for _ in 0..<5 { try? await RecordedMessage.send(port: port) }
                return true
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(60))
                return false
            }
            let first = await group.next() ?? false
            stalled.open()
            group.cancelAll()
            return first
        }
        #expect(flowed, "the mail waited for the stalled disk")
        let behind = said.all.filter { $0.contains("bytes behind the mail; new blocks are dropped") }
        #expect(behind.count == 1, "\(said.all)")

        await proxy.stop()
        let summary = await file.finish()
        try await rig.stop()

        #expect(summary.error == nil)
        #expect(summary.dropped.blocks > 0 && summary.dropped.bytes > 0)
        // Once let go, the writer wrote its queue and said how much was dropped while it was behind.
        let caughtUp = said.all.filter { $0.contains("caught up; \(summary.dropped.blocks) blocks") }
        #expect(caughtUp.count == 1, "\(said.all)")
        // What was written is a whole capture: the header and whole blocks, no partial one.
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? -1
        #expect(size == summary.bytes)
        var scanner = try MilterCaptureScanner(path: path)
        while try scanner.next() != nil {}
        #expect(scanner.statistics.truncation == nil, "\(String(describing: scanner.statistics.truncation))")
        #expect(scanner.statistics.tcpPackets > 0)
    }

    @Test func aDiskStalledAtTheStopDoesNotKeepTheRecorderFromStopping() async throws {
        let rig = try await Rig.start("record-stalled-stop", limits: RecordingFile.Limits(finishTimeout: .seconds(1)))
        defer { Scratch.remove(rig.directory) }
        let (stalled, said, file) = (rig.stalled, rig.said, rig.file)
        // Released when the test is over, so that the blocked writer thread ends too.
        defer { stalled.open() }
        for _ in 0..<2 { try await RecordedMessage.send(port: rig.port) }
        await rig.proxy.stop()

        // The disk never takes the queue: finish gives up after its timeout instead of waiting for good (bounded
        // here too, so that a finish that waits for good fails the test rather than hanging it).
        let summary = await withTaskGroup(of: RecordingFile.Summary?.self) { group in
            group.addTask { await file.finish() }
            group.addTask {
                try? await Task.sleep(for: .seconds(60))
                return nil
            }
            let first = await group.next() ?? nil
            stalled.open()
            group.cancelAll()
            return first
        }
        try await rig.stop()
        let finished = try #require(summary, "finish waited for the stalled disk")
        #expect(finished.dropped.blocks > 0, "\(said.all)")
        #expect(finished.error == "the disk stalled")
        #expect(
            said.all.contains { $0.contains("did not finish within") && $0.contains("not recorded") }, "\(said.all)")
    }
}
