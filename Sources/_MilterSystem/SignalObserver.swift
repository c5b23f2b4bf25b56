import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Signals taken over from their default action (for SIGINT and SIGTERM: ending the process at once) and handed to
/// a closure on a Dispatch queue instead, once per signal delivered.
package final class SignalObserver: @unchecked Sendable {
    // Dispatch does not mark its source types `Sendable` on Linux; the array is set once, and sources may be
    // cancelled from any thread.
    private let sources: [any DispatchSourceSignal]

    /// Ignores each of `signals`, so that only its source sees it, and calls `handler` with the signal's number on a
    /// global queue for every one delivered: twice for two that came before the first call, which Dispatch
    /// coalesces into one event whose `data` counts them.
    package init(_ signals: [Int32], handler: @escaping @Sendable (Int32) -> Void) {
        sources = signals.map { number in
            _ = signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                for _ in 0..<max(1, source.data) { handler(number) }
            }
            source.resume()
            return source
        }
    }

    /// Stops handing signals to the handler. They stay ignored: the process does not fall back to their default
    /// action.
    package func cancel() {
        for source in sources { source.cancel() }
    }
}
