import NIOCore

/// A task executor that runs jobs on one NIO event loop.
///
/// A task that prefers it (`withTaskExecutorPreference`) and talks to a
/// ``MilterClientConnection`` on the same loop never leaves that thread: the resumptions that
/// Swift would otherwise schedule on the global pool, only to hop back to the loop, stay on it.
/// milter-replay runs each connection's work this way.
@available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, *)
public final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    // Sendable: the only stored property is an event loop, which is Sendable; the class is final
    // and immutable. @unchecked because TaskExecutor conformance requires a class here.
    /// The loop jobs run on.
    public let eventLoop: any EventLoop

    /// Creates an executor for `eventLoop`.
    public init(_ eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    /// Runs the job on the event loop.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { [self] in job.runSynchronously(on: asUnownedTaskExecutor()) }
    }
}
