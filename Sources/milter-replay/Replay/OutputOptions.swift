import ArgumentParser
import MilterClient
import MilterReplayKit

/// What to expect, and what to print.
struct OutputOptions: ParsableArguments {
    @Option(help: "The verdict every message should get: accept, reject, tempfail, discard or quarantine.")
    var expect: Disposition?

    @Option(help: "A file of 'FILE VERDICT' lines giving expected verdicts per message.", completion: .file())
    var manifest: String?

    @Flag(help: "Print JSON: one object per message, then a summary (see docs/milter-replay-json.md).")
    var json = false

    @Option(help: "Write a JUnit XML report to this file.", completion: .file(extensions: ["xml"]))
    var junit: String?

    @Option(
        help: ArgumentHelp(
            "Write a self-contained HTML report (latency curve, throughput and latency per second, verdicts).",
            valueName: "file.html"))
    var report: String?

    @Flag(help: "Print each message as it stands after the milter.")
    var showMessage = false

    @Flag(help: "Print only the summary.")
    var quiet = false

    @Flag(
        name: [.customLong("verbose"), .customShort("v")],
        help: """
            Print each milter connection's transcript, every command and reply as --pcap --dump prints a session, \
            after the row of its last message (with --json: a "type": "transcript" line, entries as --dump --json).
            """)
    var verbose = false

    @Flag(
        help: """
            Show the envelope addresses in replies (a refusal's text, a quarantine reason, a capture's \
            differences) and the values in expectation failures as they are, not shape-redacted.
            """)
    var showValues = false

    /// The settings these options give.
    var settings: OutputSettings {
        OutputSettings(
            expect: expect, manifest: manifest, json: json, junit: junit, showMessage: showMessage, quiet: quiet,
            report: report, verbose: verbose, showValues: showValues)
    }
}

extension Disposition: ExpressibleByArgument {}
