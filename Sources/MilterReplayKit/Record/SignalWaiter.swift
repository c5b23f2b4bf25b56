import _MilterSystem

/// Waits for SIGINT or SIGTERM, which then no longer end the process: the recorder closes its file first.
enum SignalWaiter {
    /// Returns the first of `signals` received. Later ones are ignored: the recorder stops once, however often
    /// it is asked to.
    static func wait(for signals: [Int32] = [SIGINT, SIGTERM]) async -> Int32 {
        let stream = AsyncStream<Int32> { continuation in
            let observer = SignalObserver(signals) { continuation.yield($0) }
            continuation.onTermination = { _ in observer.cancel() }
        }
        for await number in stream { return number }
        return SIGTERM
    }
}
