import ArgumentParser
import NIOCore
import ReferenceMilter

extension TimeAmount {
    /// A duration in (fractional) seconds, clamped to at least one millisecond.
    static func fromSeconds(_ value: Double) -> TimeAmount { .milliseconds(Int64(max(1, value * 1_000))) }
}

/// Options shared by `daemon` and `test`: the classifier and how the protocol feeds it.
struct ClassificationOptions: ParsableArguments {
    @Option(help: "A file for the classifier (reference-milter: a rules file).")
    var config: String?

    @Option(help: "Bytes of the message kept for the classifier, headers included; 0 asks for no body.")
    var truncate: Int?

    @Option(help: "Seconds a classification may take before the failure verdict is sent.")
    var classifierTimeout = 60.0

    @Option(help: "The verdict when the classifier fails or times out: tempfail, accept or reject.")
    var onFailure = "tempfail"

    @Option(help: "The largest command payload accepted, in bytes.")
    var maxFrameSize = 65_535

    func classifier() throws -> any MailClassifier {
        try CLIContext.configuration.classifier(configPath: config)
    }

    func protocolOptions() throws -> ProtocolOptions {
        let failure: Verdict
        switch onFailure {
        case "tempfail": failure = ProtocolOptions().failureVerdict
        case "accept": failure = .accept
        case "reject": failure = .reject(.sanitized(code: 550, enhancedCode: "5.7.1", text: "Refused"))
        default: throw CLIError.usage("--on-failure takes tempfail, accept or reject")
        }
        guard maxFrameSize >= 65_535 else { throw CLIError.usage("--max-frame-size must be at least 65535") }
        return ProtocolOptions(truncate: truncate, maximumFrameSize: maxFrameSize, failureVerdict: failure)
    }
}
