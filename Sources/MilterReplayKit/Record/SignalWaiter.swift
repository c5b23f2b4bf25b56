import Dispatch
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
            let installed = InstalledSignalSources(sources)
            continuation.onTermination = { _ in installed.cancel() }
        }
        for await number in stream { return number }
        return SIGTERM
    }
}

/// Signal sources handed to the stream's termination handler. Dispatch sources may be cancelled from
/// any thread, and the array is never changed after creation, so sharing it is safe; Dispatch does
/// not mark its source types `Sendable` on Linux, hence the unchecked conformance.
private final class InstalledSignalSources: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]

    init(_ sources: [any DispatchSourceSignal]) { self.sources = sources }

    func cancel() {
        for source in sources { source.cancel() }
    }
}
