import Logging
import NIOConcurrencyHelpers
import ReferenceMilter
import _MilterSystem

/// What a milter binary hands to ``MilterCommandLine/launch(_:arguments:)`` (or the async
/// ``MilterCommandLine/main(_:arguments:)``): srmilter's `Config`.
///
/// ```swift
/// // main.swift
/// import ReferenceMilterCLI  // brings ReferenceMilter along
///
/// MilterCommandLine.launch(MilterConfiguration(name: "my-milter", classifier: MyClassifier()))
/// ```
public struct MilterConfiguration: Sendable {
    /// The binary's name, used in help and logs.
    public var name: String
    /// The classifier used when no `--config` file is given.
    public var classifier: any MailClassifier
    /// Builds a classifier from the file named by `--config`; `nil` when the milter takes no file.
    public var loadClassifier: (@Sendable (String) throws -> any MailClassifier)?
    /// The server defaults, for `daemon` and `test`: an option given overrides its field (`--threads`,
    /// `--classifier-timeout`, `--on-failure`, the timeouts ...); one not given leaves it, and `--help` shows it as
    /// the default. `test` uses the classifier timeout, the protocol options (failure verdict, truncation, frame
    /// limit) and the memory budget.
    public var server: ServerConfiguration
    /// What `--version` prints; `nil` prints swift-milter's version.
    public var version: String?
    /// The text of the built-in configuration, printed by `check-config --print-builtin`; `nil` when there is
    /// none to print.
    public var builtInConfiguration: String?

    /// Creates a configuration.
    public init(
        name: String, classifier: any MailClassifier,
        loadClassifier: (@Sendable (String) throws -> any MailClassifier)? = nil,
        server: ServerConfiguration = ServerConfiguration(), builtInConfiguration: String? = nil,
        version: String? = nil
    ) {
        self.version = version
        self.name = name
        self.classifier = classifier
        self.loadClassifier = loadClassifier
        self.server = server
        self.builtInConfiguration = builtInConfiguration
    }

    /// Whether the milter takes a `--config` file: help shows `--config`, SIGHUP reloading and
    /// `check-config` only then.
    var takesConfigurationFile: Bool { loadClassifier != nil }

    /// The classifier for a run: loaded from `path` when given. A file that does not load is a
    /// ``CLIError/configuration(path:_:)`` (exit 2), naming the file.
    func classifier(configPath: String?) throws -> any MailClassifier {
        guard let configPath else { return classifier }
        guard let loadClassifier else { throw CLIError.usage("\(name) takes no --config file") }
        do {
            return try loadClassifier(configPath)
        } catch {
            throw CLIError.configuration(path: configPath, error)
        }
    }
}

/// The configuration of the running command line, set once by ``MilterCommandLine/launch(_:arguments:)`` or
/// ``MilterCommandLine/main(_:arguments:)``.
enum CLIContext {
    private static let box = NIOLockedValueBox<MilterConfiguration?>(nil)

    static var configuration: MilterConfiguration {
        get { box.withLockedValue { $0 } ?? MilterConfiguration(name: "milter", classifier: RulesClassifier.default) }
        set { box.withLockedValue { $0 = newValue } }
    }
}

/// A failure of a subcommand, with its exit status.
enum CLIError: Error, CustomStringConvertible {
    /// Bad arguments or unreadable input: exit 2.
    case usage(String)
    /// A configuration file that does not load: exit 2. Printed as `PATH: ERROR`, where a rules file's
    /// error names the line and column; the path's control characters, a line feed too, written as escapes
    /// (``TerminalText``), as `check-config`'s OK line writes them: a line feed in it split the message in two.
    case configuration(path: String, any Error)

    var description: String {
        switch self {
        case .usage(let text): text
        case .configuration(let path, let error):
            "\(TerminalText.escapingControls(path, keepingLineFeeds: false)): \(error)"
        }
    }
}
