import NIOPosix

/// Runs classifier tasks on a thread pool, so a blocking classifier never blocks an event loop
/// or Swift's cooperative pool.
@available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, *)
final class ThreadPoolExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: the only stored property is the pool, which is thread-safe but not marked Sendable.
    private let pool: NIOThreadPool

    init(pool: NIOThreadPool) { self.pool = pool }

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        pool.submit { [self] _ in unowned.runSynchronously(on: asUnownedTaskExecutor()) }
    }
}

/// The classification threads.
final class ClassificationThreads: @unchecked Sendable {
    // @unchecked: NIOThreadPool is thread-safe but not marked Sendable; the reference never changes.
    let pool: NIOThreadPool

    /// Starts `count` threads.
    init(count: Int) {
        pool = NIOThreadPool(numberOfThreads: max(1, count))
        pool.start()
    }

    /// Starts a task on the threads (on the global pool before macOS 15, where task executors do not exist).
    func task(_ body: @escaping @Sendable () async -> Void) -> Task<Void, Never> {
        if #available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, *) {
            return Task(executorPreference: ThreadPoolExecutor(pool: pool)) { await body() }
        }
        return Task { await body() }
    }

    /// Lets the threads end once their work is done, without waiting: a classifier that never
    /// returns must not hold up shutdown.
    func shutdown() { pool.shutdownGracefully { _ in } }
}
