import Logging
import ReferenceMilter
import ServiceLifecycle
import UnixSignals

/// Re-reads the classifier's file on SIGHUP: a file that loads replaces the classifier for new
/// messages (a rules file without a rule, or whose `dnsbl` rules meet an /etc/resolv.conf with more than 3
/// nameservers, with a warning, as at start-up); one that does not is logged and the
/// running classifier stays. SIGHUP never stops the daemon.
struct RulesReloader: Service {
    let classifier: ReloadableClassifier
    let path: String?
    /// Created before the server starts, so that a SIGHUP right after readiness is already trapped.
    let signals: UnixSignalsSequence
    let load: @Sendable (String) throws -> any MailClassifier
    let logger: Logger

    func run() async throws {
        for await _ in signals.cancelOnGracefulShutdown() {
            reload()
        }
    }

    /// Loads the file once; returns whether the classifier was replaced.
    @discardableResult
    func reload() -> Bool {
        guard let path else {
            logger.notice("SIGHUP: no --config file, nothing to reload")
            return false
        }
        let notifier = SystemdNotifier.fromEnvironment()
        notifier?.sendReloading()
        defer { notifier?.send("READY=1") }
        do {
            let loaded = try load(path)
            classifier.replace(with: loaded)
            logger.notice("reloaded", metadata: ["config": "\(path)"])
            logger.warnOfLoaded(loaded, from: path)
            return true
        } catch {
            logger.error(
                "reload failed; keeping the previous rules", metadata: ["config": "\(path)", "error": "\(error)"])
            return false
        }
    }
}
