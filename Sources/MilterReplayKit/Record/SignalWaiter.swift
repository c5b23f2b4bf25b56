import Dispatch
import Synchronization
import _MilterSystem

/// Waits for SIGINT or SIGTERM, which then no longer end the process: the recorder closes its file first.
enum SignalWaiter {
    /// Returns the first of `signals` received.
    static func wait(for signals: [Int32] = [SIGINT, SIGTERM]) async -> Int32 {
        let stream = AsyncStream<Int32> { continuation in
            let sources = signals.map { number in
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { continuation.yield(number) }
                source.resume()
                return source
            }
            let box = Mutex(sources)
            continuation.onTermination = { _ in box.withLock { for source in $0 { source.cancel() } } }
        }
        for await number in stream { return number }
        return SIGTERM
    }
}
