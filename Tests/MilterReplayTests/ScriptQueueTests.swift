import Dispatch
import MilterCapture
import MilterClient
import MilterTestSupport
import NIOConcurrencyHelpers
import Testing

@testable import MilterReplayKit

/// The queue between the capture reader's thread and the replaying connections' threads: every
/// script reaches a connection once and in order, a full queue holds the reader, and a stopped run
/// or a read error never leaves a thread waiting.
@Suite(.timeLimit(.minutes(1))) struct ScriptQueueTests {
    static func work(_ count: Int) throws -> [PcapWork] {
        let scripts = try ScriptReader.loadAll(path: PcapGapTests.capture, options: MilterExtractionOptions())
        let script = try #require(scripts.first).get()
        return (0..<count).map { PcapWork(sequence: $0, script: script, scheduled: nil) }
    }

    /// `count` scripts put on a thread of their own, then the queue finished, while `takers` threads take
    /// until it ends; the sequence numbers in the order they were taken.
    static func pass(_ count: Int, through queue: ScriptQueue, takers: Int) async throws -> [Int] {
        let items = try Self.work(count)
        let reader = Task {
            await BlockingThread.run(1) { _ in
                items.forEach(queue.put)
                queue.finish()
            }
        }
        let taken = NIOLockedValueBox<[Int]>([])
        await BlockingThread.run(takers) { _ in
            while let work = queue.take() { taken.withLockedValue { $0.append(work.sequence) } }
        }
        await reader.value
        return taken.withLockedValue { $0 }
    }

    @Test func everyScriptCrossesOnceAndInOrderThroughAQueueOfTwo() async throws {
        let queue = ScriptQueue(capacity: 2)
        #expect(try await Self.pass(200, through: queue, takers: 1) == Array(0..<200))
        #expect(queue.failure == nil)
    }

    @Test func severalTakersShareTheScriptsWithoutLosingOne() async throws {
        let taken = try await Self.pass(300, through: ScriptQueue(capacity: 3), takers: 4)
        #expect(taken.sorted() == Array(0..<300))
    }

    @Test func abandoningFreesAReaderHeldByAFullQueue() async throws {
        let queue = ScriptQueue(capacity: 1)
        let items = try Self.work(3)
        let firstPut = DispatchSemaphore(value: 0)
        // The second put waits for a taker that never comes, until the run is abandoned.
        let reader = Task {
            await BlockingThread.run(1) { _ in
                queue.put(items[0])
                firstPut.signal()
                queue.put(items[1])
                queue.put(items[2])
            }
        }
        // Off the pool: the reader's task needs a thread of the pool to start (two on a two-core machine).
        try await offPool { firstPut.wait() }
        // Not a timing assertion: time for the second put to block, so that abandon() must wake it.
        try await Task.sleep(for: .milliseconds(50))
        queue.abandon()
        await reader.value
        #expect(queue.isAbandoned)
        #expect(queue.take() == nil)
    }

    @Test func aReadErrorEndsTheQueueAndIsKept() async throws {
        let queue = ScriptQueue(capacity: 2)
        let items = try Self.work(1)
        queue.put(items[0])
        queue.finish(failure: PcapLoadError(description: "capture.pcap: truncated record"))
        #expect(queue.take()?.sequence == 0)
        #expect(queue.take() == nil)
        #expect(queue.failure?.description == "capture.pcap: truncated record")
    }
}
