import Logging
import NIOCore

/// How a classification ended.
enum ClassificationOutcome<Value: Sendable>: Sendable {
    /// The classifier answered.
    case value(Value)
    /// The classifier threw; the description (``ClassifierErrorText``) is safe to log.
    case failed(String)
    /// The classifier ran past the timeout and was cancelled.
    case timedOut
    /// The server gave up on the call: the drain timeout of its shutdown expired while it ran.
    case abandoned
}

/// Runs classifier calls: at most `threads` at once, on dedicated threads, each bounded by a timeout.
///
/// A slot is held from the start of a call until the call really ends: a timed-out call is
/// cancelled and answered at once, and its slot comes back when the classifier returns. A call
/// that throws releases its slot like any other. A call given up on (``ClassificationCall/cancel()``)
/// is cancelled too, or, still queued, never takes a slot.
final class ClassificationScheduler: Sendable {
    let gate: ClassificationGate
    private let threads: ClassificationThreads
    private let timeout: TimeAmount

    init(threads: Int, timeout: TimeAmount) {
        gate = ClassificationGate(limit: threads)
        self.threads = ClassificationThreads(count: threads)
        self.timeout = timeout
    }

    /// Runs `work`; the returned call's outcome completes on `eventLoop` exactly once.
    func run<Value: Sendable>(
        on eventLoop: any EventLoop, _ work: @escaping @Sendable () async throws -> Value
    ) -> ClassificationCall<Value> {
        let promise = eventLoop.makePromise(of: ClassificationOutcome<Value>.self)
        let gate = self.gate
        let task = threads.task {
            do {
                try await gate.acquire()
            } catch {
                return
            }
            defer { gate.release() }
            // Given up on (its connection closed) while the slot came: the classifier is not asked.
            guard !Task.isCancelled else { return }
            do {
                let value = try await work()
                promise.succeed(.value(value))
            } catch is CancellationError where Task.isCancelled {
                return
            } catch {
                promise.succeed(.failed(ClassifierErrorText.describe(error)))
            }
        }
        let timer = eventLoop.scheduleTask(in: timeout) {
            task.cancel()
            promise.succeed(.timedOut)
        }
        promise.futureResult.whenComplete { _ in timer.cancel() }
        return ClassificationCall(outcome: promise.futureResult.hop(to: eventLoop), task: task, promise: promise)
    }

    /// Stops the classification threads.
    func shutdown() { threads.shutdown() }
}

/// A classifier call started by ``ClassificationScheduler/run(on:_:)``.
struct ClassificationCall<Value: Sendable>: Sendable {
    /// How the call ended; fails with `CancellationError` once the call is given up on (``cancel()``).
    let outcome: EventLoopFuture<ClassificationOutcome<Value>>
    fileprivate let task: Task<Void, Never>
    fileprivate let promise: EventLoopPromise<ClassificationOutcome<Value>>

    /// Gives up on the call, for its connection has closed: a call still waiting for a slot leaves
    /// the queue without taking one, a running one is cancelled (its slot comes back when the
    /// classifier returns), and the timeout is disarmed. Harmless once the call has ended.
    func cancel() {
        task.cancel()
        promise.fail(CancellationError())
    }
}
