import Logging
import ServiceLifecycle
import UnixSignals

/// SIGTERM and SIGINT, trapped before the server starts: a signal that comes right after readiness (READY=1,
/// MILTER_READY_FD, the "listening" log line) drains and stops the daemon, where the service group's own signal
/// handling, installed only once it runs, left such a signal to kill the process. The service returns at the
/// first signal, which shuts the group down gracefully.
struct StopSignals: Service {
    /// Created before the server starts.
    let signals: UnixSignalsSequence
    let logger: Logger

    func run() async throws {
        for await signal in signals.cancelOnGracefulShutdown() {
            logger.notice("stopping", metadata: ["signal": "\(signal)"])
            return
        }
    }
}
