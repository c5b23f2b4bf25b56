import Dispatch
import NIOConcurrencyHelpers

/// Runs a scan on a thread of its own while the caller consumes its sessions: the two stages of a dump use both
/// cores. Sessions cross in batches through a queue of at most ``capacity`` batches, each closed at
/// ``batchWeight`` bytes or ``batchSessions`` sessions, so memory stays bounded whatever the capture's size, and
/// they come out in scan order.
final class SessionPipeline: @unchecked Sendable {
    /// What the scan hands over: sessions, then once its end (statistics and loose issues) or its error.
    enum Item {
        case sessions([CapturedSession])
        case end(Result<(CaptureStatistics, [CaptureIssue]), CaptureError>)
    }

    static let capacity = 4
    static let batchWeight = 1 << 20
    static let batchSessions = 64

    private let lock = NIOLock()
    private var queue: [Item] = []
    private var cancelled = false
    private let slots = DispatchSemaphore(value: SessionPipeline.capacity)
    private let items = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)

    /// Starts scanning `scanner` on another thread.
    init(scanner: MilterCaptureScanner) {
        let transfer = UncheckedTransfer(scanner)
        DispatchQueue.global().async { [self] in
            produce(transfer.value)
            done.signal()
        }
    }

    /// The next item, in scan order; waits for the scan.
    func next() -> Item {
        items.wait()
        let item = lock.withLock { queue.removeFirst() }
        slots.signal()
        return item
    }

    /// Stops the scan (if it still runs) and waits until its thread has let go of the capture.
    func finish() {
        lock.withLock { cancelled = true }
        slots.signal()
        done.wait()
    }

    private func produce(_ scanner: MilterCaptureScanner) {
        var scanner = scanner
        var collector = CapturedSessionCollector()
        var batch: [CapturedSession] = []
        var weight = 0
        do throws(CaptureError) {
            while let session = try scanner.nextSession(collector: &collector) {
                weight += Self.weight(of: session)
                batch.append(session)
                guard weight >= Self.batchWeight || batch.count >= Self.batchSessions else { continue }
                guard push(.sessions(batch)) else { return }
                batch.removeAll(keepingCapacity: true)
                weight = 0
            }
            if !batch.isEmpty { guard push(.sessions(batch)) else { return } }
            _ = push(.end(.success((scanner.statistics, collector.captureIssues))))
        } catch {
            if !batch.isEmpty { guard push(.sessions(batch)) else { return } }
            _ = push(.end(.failure(error)))
        }
    }

    /// Queues `item` once there is room; false when the consumer has stopped.
    private func push(_ item: Item) -> Bool {
        slots.wait()
        return lock.withLock {
            guard !cancelled else { return false }
            queue.append(item)
            items.signal()
            return true
        }
    }

    /// Roughly the bytes a session holds: its payloads and a fixed share per entry.
    private static func weight(of session: CapturedSession) -> Int {
        var weight = 0
        for entry in session.entries {
            weight += 128
            if case .frame(let frame) = entry { weight += frame.frame.payload.readableBytes }
        }
        return weight
    }
}

/// Moves a value that is used by one thread at a time to another thread.
private struct UncheckedTransfer<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
