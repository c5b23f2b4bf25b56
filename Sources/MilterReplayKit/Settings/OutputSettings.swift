import MilterClient

/// What a run expects, and what it prints: the output options of `milter-replay`, as plain values.
public struct OutputSettings: Sendable {
    /// The verdict every message should get.
    public var expect: Disposition?
    /// A file of `FILE VERDICT` lines giving expected verdicts per message.
    public var manifest: String?
    /// Whether the report is JSON lines (docs/milter-replay-json.md) rather than text.
    public var json: Bool
    /// Where a JUnit XML report is written, if anywhere.
    public var junit: String?
    /// Whether each message is printed as it stands after the milter.
    public var showMessage: Bool
    /// Whether only the summary is printed.
    public var quiet: Bool
    /// Where a self-contained HTML report (charts, verdicts, findings) is written, if anywhere.
    public var report: String?
    /// Whether each milter connection's transcript (every command and reply, as `--pcap --dump` prints a
    /// session) is printed after the row of its last message; with ``json``, as a `"type": "transcript"` line.
    public var verbose: Bool
    /// Whether the envelope addresses in reply texts (a refusal's reply, a quarantine reason, a capture's
    /// differences) and the values in expectation failures are shown as they are, not shape-redacted
    /// (`--show-values`, as for scenarios).
    public var showValues: Bool

    /// No expectation, a text report of every message.
    public init(
        expect: Disposition? = nil, manifest: String? = nil, json: Bool = false, junit: String? = nil,
        showMessage: Bool = false, quiet: Bool = false, report: String? = nil, verbose: Bool = false,
        showValues: Bool = false
    ) {
        self.showValues = showValues
        self.verbose = verbose
        self.report = report
        self.expect = expect
        self.manifest = manifest
        self.json = json
        self.junit = junit
        self.showMessage = showMessage
        self.quiet = quiet
    }
}
