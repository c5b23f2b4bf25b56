import Dispatch

/// Runs a command's `async` work from a synchronous `main.swift`: on the concurrency runtime's threads, while the
/// process's main thread waits. An `async` top-level main hands the main thread to libdispatch (`dispatch_main`),
/// whose cleanup for that thread opens an `eventfd` for the main queue and traps (signal 4) when it cannot: a
/// process out of file descriptors could die of it. Nothing run this way may use the main queue or the main actor.
package enum SynchronousMain {
    /// Runs `body` and returns its status once it has finished.
    package static func run(_ body: @escaping @Sendable () async -> Int32) -> Int32 {
        let status = StatusBox()
        let finished = DispatchSemaphore(value: 0)
        Task.detached {
            status.value = await body()
            finished.signal()
        }
        finished.wait()
        return status.value
    }

    /// The status, written by the task before the semaphore's signal and read by the main thread after its wait.
    private final class StatusBox: @unchecked Sendable {
        var value: Int32 = 2
    }
}
