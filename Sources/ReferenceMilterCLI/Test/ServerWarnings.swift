import Logging
import NIOConcurrencyHelpers

/// The `test` server's log: it keeps the first warning or error, so that a verdict the classifier
/// did not give (the memory budget's tempfail) still comes with its reason, as the daemon logs it.
final class ServerWarnings: Sendable {
    private let first = NIOLockedValueBox<String?>(nil)

    /// The first warning or worse the server logged, with its metadata, or `nil`.
    var firstWarning: String? { first.withLockedValue { $0 } }

    /// A logger that records into this object and writes nothing.
    func logger(label: String) -> Logger {
        Logger(label: label) { _ in Handler(warnings: self) }
    }

    fileprivate func record(_ text: String) {
        first.withLockedValue { if $0 == nil { $0 = text } }
    }

    private struct Handler: LogHandler {
        let warnings: ServerWarnings
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .warning

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var all = metadata.merging(event.metadata ?? [:]) { $1 }
            // The run's line starts with the queue id already.
            all["queue-id"] = nil
            let details = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            warnings.record(
                details.isEmpty ? "\(event.message)" : "\(event.message); \(details.joined(separator: " "))")
        }
    }
}
