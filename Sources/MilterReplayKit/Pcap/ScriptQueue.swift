import Foundation
import NIOCore

/// Hands scripts from the capture reader's thread to the replaying connections' threads, holding
/// at most `capacity` of them: the reader waits while the connections are behind, and a
/// connection waits while the reader is.
final class ScriptQueue: @unchecked Sendable {
    // Every stored property below `condition` is read and written with `condition` locked.
    private let condition = NSCondition()
    private let capacity: Int
    private var items = CircularBuffer<PcapWork>()  // small: at most `capacity`
    private var finished = false
    private var abandoned = false
    private var readFailure: PcapLoadError?

    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Adds work, waiting while the queue is full; dropped once the run is abandoned.
    func put(_ work: PcapWork) {
        locked {
            while items.count >= capacity, !abandoned { condition.wait() }
            guard !abandoned else { return }
            items.append(work)
            condition.broadcast()
        }
    }

    /// Whether the run stopped (``abandon()``): the reader stops reading.
    var isAbandoned: Bool { locked { abandoned } }

    /// The run stopped: drops what is queued, and what is put from now on, so the reader never waits.
    func abandon() {
        locked {
            abandoned = true
            finished = true
            items.removeAll()
            condition.broadcast()
        }
    }

    /// No more work, because the capture ended or could not be read further (`failure`): waiting
    /// takers get nil once the queue is empty.
    func finish(failure: PcapLoadError? = nil) {
        locked {
            finished = true
            readFailure = failure
            condition.broadcast()
        }
    }

    /// Why the reader stopped before the end of the capture, if it did.
    var failure: PcapLoadError? { locked { readFailure } }

    /// The next work, waiting for it; nil once finished and empty.
    func take() -> PcapWork? {
        locked {
            while items.isEmpty, !finished { condition.wait() }
            guard let work = items.popFirst() else { return nil }
            condition.broadcast()
            return work
        }
    }

    private func locked<T>(_ body: () -> T) -> T {
        condition.lock()
        defer { condition.unlock() }
        return body()
    }
}
