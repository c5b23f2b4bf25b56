import Logging
import NIOCore

/// How a classification ended.
enum ClassificationOutcome<Value: Sendable>: Sendable {
    /// The classifier answered.
    case value(Value)
    /// The classifier threw; the description is safe to log.
    case failed(String)
    /// The classifier ran past the timeout and was cancelled.
    case timedOut
}

/// Runs classifier calls: at most `threads` at once, on dedicated threads, each bounded by a timeout.
///
/// A slot is held from the start of a call until the call really ends: a timed-out call is
/// cancelled and answered at once, and its slot comes back when the classifier returns. A call
/// that throws releases its slot like any other.
final class ClassificationScheduler: Sendable {
    let gate: ClassificationGate
    private let threads: ClassificationThreads
    private let timeout: TimeAmount

    init(threads: Int, timeout: TimeAmount) {
        gate = ClassificationGate(limit: threads)
        self.threads = ClassificationThreads(count: threads)
        self.timeout = timeout
    }

    /// Runs `work` and completes the returned future on `eventLoop` exactly once.
    func run<Value: Sendable>(
        on eventLoop: any EventLoop, _ work: @escaping @Sendable () async throws -> Value
    ) -> EventLoopFuture<ClassificationOutcome<Value>> {
        let promise = eventLoop.makePromise(of: ClassificationOutcome<Value>.self)
        let gate = self.gate
        let task = threads.task {
            do {
                try await gate.acquire()
            } catch {
                return
            }
            defer { gate.release() }
            do {
                let value = try await work()
                promise.succeed(.value(value))
            } catch is CancellationError where Task.isCancelled {
                return
            } catch {
                promise.succeed(.failed(String(describing: type(of: error))))
            }
        }
        let timer = eventLoop.scheduleTask(in: timeout) {
            task.cancel()
            promise.succeed(.timedOut)
        }
        promise.futureResult.whenComplete { _ in timer.cancel() }
        return promise.futureResult.hop(to: eventLoop)
    }

    /// Stops the classification threads.
    func shutdown() { threads.shutdown() }
}
