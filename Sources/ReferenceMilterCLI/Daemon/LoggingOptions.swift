import ArgumentParser
import Logging
import ReferenceMilter

/// `--log-level` and `--log-format`, and the logging system they set up.
struct LoggingOptions: ParsableArguments {
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    @Option(
        help: """
            Log format: text (no timestamp when JOURNAL_STREAM is set, as under systemd) or json (a fatal \
            start-up error too).
            """)
    var logFormat = "text"

    /// Whether the lines are JSON (`--log-format json`): the daemon's fatal start-up error is then one too.
    var writesJSON: Bool { logFormat == OperatorLogHandler.Format.json.rawValue }

    /// Bootstraps the logging system (once per process) and returns a logger labelled `label`.
    func bootstrap(label: String) throws -> Logger {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw CLIError.usage("unknown log level \(logLevel)")
        }
        guard let format = OperatorLogHandler.Format(rawValue: logFormat) else {
            throw CLIError.usage("--log-format takes text or json")
        }
        LoggingSystem.bootstrap { label in
            OperatorLogHandler.standardError(label: label, level: level, format: format)
        }
        return Logger(label: label)
    }
}
