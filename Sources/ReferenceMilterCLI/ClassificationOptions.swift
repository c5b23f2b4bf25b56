import ArgumentParser
import NIOCore
import ReferenceMilter
import _MilterCommandLine

extension TimeAmount {
    /// A duration in (fractional) seconds, clamped to one millisecond to a day (the options are checked first).
    static func fromSeconds(_ value: Double) -> TimeAmount {
        let milliseconds = value.isFinite ? min(max(1, value * 1_000), 86_400_000) : 86_400_000
        return .milliseconds(Int64(milliseconds))
    }
}

/// Options shared by `daemon` and `test`: the classifier and how the protocol feeds it.
struct ClassificationOptions: ParsableArguments {
    /// The largest `--max-frame-size`: 64 MiB.
    static let maximumFrameSizeLimit = 64 << 20

    /// Hidden from help for a milter that takes no file (it answers a usage error).
    @Option(
        help: ArgumentHelp(
            """
            A file for the classifier (reference-milter: a rules file; default: the built-in rules, which \
            check-config --print-builtin prints).
            """,
            visibility: CLIContext.configuration.takesConfigurationFile ? .default : .private),
        completion: .file())
    var config: String?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Bytes of the message kept for the classifier, headers included, 0 to 67108864; 0 asks for no body "
                + (ConfiguredDefaults.server.protocolOptions.truncate.map { "(default: \($0))." }
                    ?? "(default: the whole message, up to 64 MiB)."))
    )
    var truncate: Int?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Seconds a classification may take before the failure verdict is sent, 0.001 to 86400 "
                + ConfiguredDefaults.seconds(ConfiguredDefaults.server.classifierTimeout) + "."))
    var classifierTimeout: SecondsArgument?

    @Option(
        help: ArgumentHelp(
            "The verdict when the classifier fails or times out: tempfail, accept or reject (default: "
                + ConfiguredDefaults.failureName(ConfiguredDefaults.server.protocolOptions.failureVerdict) + ")."))
    var onFailure: String?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "The largest command payload accepted, in bytes, 65535 to 67108864 (default: "
                + "\(ConfiguredDefaults.server.protocolOptions.maximumFrameSize))."))
    var maxFrameSize: Int?

    /// The verdicts `--on-failure` names.
    static let failureVerdicts: KeyValuePairs<String, Verdict> = [
        "tempfail": ProtocolOptions().failureVerdict, "accept": .accept,
        "reject": .reject(.sanitized(code: 550, enhancedCode: "5.7.1", text: "Refused")),
    ]

    func validate() throws {
        try NumericOption.check(truncate, "--truncate", in: 0...ProtocolOptions().maximumMessageBytes)
        try NumericOption.check(classifierTimeout, "--classifier-timeout", in: NumericOption.timeoutSeconds)
        try NumericOption.check(maxFrameSize, "--max-frame-size", in: 65_535...Self.maximumFrameSizeLimit)
    }

    func classifier() throws -> any MailClassifier {
        try CLIContext.configuration.classifier(configPath: config)
    }

    /// The classifier timeout: `--classifier-timeout` if given, else the program's.
    func classifierTimeout(default configured: TimeAmount) -> TimeAmount {
        classifierTimeout.map { .fromSeconds($0.seconds) } ?? configured
    }

    /// The program's protocol options with the options given here applied.
    func protocolOptions(defaults: ProtocolOptions) throws -> ProtocolOptions {
        var options = defaults
        if let onFailure {
            guard let verdict = Self.failureVerdicts.first(where: { $0.key == onFailure })?.value else {
                throw CLIError.usage("--on-failure takes tempfail, accept or reject")
            }
            options.failureVerdict = verdict
        }
        if let truncate { options.truncate = truncate }
        if let maxFrameSize { options.maximumFrameSize = maxFrameSize }
        return options
    }
}
