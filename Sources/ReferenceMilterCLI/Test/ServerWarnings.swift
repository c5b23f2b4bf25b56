import Logging
import NIOConcurrencyHelpers

/// The `test` server's log: it keeps the warnings and errors, so that a verdict the classifier did not
/// give (the memory budget's tempfail) still comes with its reason, and a modification the MTA did not
/// grant is not dropped silently, as the daemon logs them.
final class ServerWarnings: Sendable {
    /// The most warnings kept: one session logs a handful.
    static let limit = 50

    private let all = NIOLockedValueBox<[String]>([])

    /// The first warning or worse the server logged, with its metadata, or `nil`.
    var firstWarning: String? { all.withLockedValue { $0.first } }

    /// Every warning or worse the server logged (up to ``limit``), in order.
    var warnings: [String] { all.withLockedValue { $0 } }

    /// A logger that records into this object and writes nothing.
    func logger(label: String) -> Logger {
        Logger(label: label) { _ in Handler(warnings: self) }
    }

    fileprivate func record(_ text: String) {
        all.withLockedValue { if $0.count < Self.limit { $0.append(text) } }
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
            // The run's line starts with the queue id already; it has one connection.
            all["queue-id"] = nil
            all["connection"] = nil
            let details = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            warnings.record(
                details.isEmpty ? "\(event.message)" : "\(event.message); \(details.joined(separator: " "))")
        }
    }
}
