import Dispatch
import NIOConcurrencyHelpers

/// Runs the packet stage of a scan (``PacketScanner``: reading and decoding) on a thread of its own while the caller
/// reassembles, extracts and renders the milter sessions: the two stages of a dump use both cores.
///
/// Steps cross in batches through a queue of at most ``capacity`` batches, each closed once its packets held
/// ``batchBytes`` captured bytes or it holds ``batchSteps`` segments and issues, so memory stays bounded whatever
/// the capture's size, and they come out in scan order. Batches are small (128 KiB of packets): the packet bytes
/// are still in the processor's cache when the rendering thread reads them, and a dump of 100 MB ran about a tenth
/// faster than with batches of 1 MiB.
final class ScanPipeline: @unchecked Sendable {
    /// What the scan hands over: steps, then once its end (with the statistics) or its error.
    enum Item {
        case steps(PacketSteps)
        case end(Result<CaptureStatistics, CaptureError>)
    }

    static let capacity = 8
    static let batchBytes = 1 << 17
    static let batchSteps = 1024

    private let lock = NIOLock()
    private var queue: [Item] = []
    /// Emptied batches handed back by the consumer, whose arrays the producer fills again: no allocation (and no
    /// page faults of fresh memory) per batch.
    private var spare: [PacketSteps] = []
    private var cancelled = false
    private let slots = DispatchSemaphore(value: ScanPipeline.capacity)
    private let items = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)

    /// Starts scanning `scanner` on another thread.
    init(scanner: PacketScanner) {
        let transfer = UncheckedTransfer(scanner)
        DispatchQueue.global().async { [self] in
            produce(transfer.value)
            done.signal()
        }
    }

    deinit {
        // libdispatch traps when a semaphore is released with a count below the one it was made with. A dump
        // that stops early (an export failure) leaves batches nobody took, each holding a slot: give back at
        // least as many slots as the queue can hold, plus the one a refused push took (`finish` signalled it).
        for _ in 0..<Self.capacity { slots.signal() }
    }

    /// The next item, in scan order; waits for the scan.
    func next() -> Item {
        items.wait()
        let item = lock.withLock { queue.removeFirst() }
        slots.signal()
        return item
    }

    /// Hands back a batch that ``next()`` gave, once its steps are used: its storage is reused for a later batch.
    func recycle(_ steps: consuming PacketSteps) {
        var steps = steps
        steps.removeAll()
        lock.withLock { if spare.count <= Self.capacity { spare.append(steps) } }
    }

    /// Stops the scan (if it still runs) and waits until its thread has let go of the capture.
    func finish() {
        lock.withLock { cancelled = true }
        slots.signal()
        done.wait()
    }

    private func produce(_ scanner: PacketScanner) {
        var scanner = scanner
        var batch = emptyBatch()
        var batchStart = 0
        do throws(CaptureError) {
            while try scanner.nextSteps(into: &batch) {
                guard scanner.capturedBytes - batchStart >= Self.batchBytes || batch.count >= Self.batchSteps
                else { continue }
                guard push(.steps(batch)) else { return }
                batch = emptyBatch()
                batchStart = scanner.capturedBytes
            }
            if batch.count > 0 { guard push(.steps(batch)) else { return } }
            _ = push(.end(.success(scanner.statistics)))
        } catch {
            if batch.count > 0 { guard push(.steps(batch)) else { return } }
            _ = push(.end(.failure(error)))
        }
    }

    /// A recycled batch, or a new one.
    private func emptyBatch() -> PacketSteps {
        if let recycled = lock.withLock({ spare.popLast() }) { return recycled }
        var batch = PacketSteps()
        batch.segments.reserveCapacity(Self.batchSteps)
        return batch
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
}

/// Moves a value that is used by one thread at a time to another thread.
private struct UncheckedTransfer<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
