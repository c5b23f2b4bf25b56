import NIOPosix

/// Runs classifier tasks on dedicated threads, so a blocking classifier never blocks an event
/// loop or Swift's cooperative pool.
final class ThreadPoolExecutor: TaskExecutor, @unchecked Sendable {
    // NIOThreadPool is thread-safe; it is not marked Sendable.
    private let pool: NIOThreadPool

    /// Starts `threads` threads.
    init(threads: Int) {
        pool = NIOThreadPool(numberOfThreads: max(1, threads))
        pool.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        pool.submit { [self] _ in unowned.runSynchronously(on: asUnownedTaskExecutor()) }
    }

    /// Stops the threads once queued work is done.
    func shutdown() async throws { try await pool.shutdownGracefully() }
}
