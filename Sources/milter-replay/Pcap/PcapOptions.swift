import ArgumentParser
import MilterReplayKit

/// `--pcap FILE` and what goes with it: transcripts, .eml export, or replay-and-diff.
struct PcapOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Read milter sessions from a pcap or pcapng capture instead of .eml files (- reads standard input, "
                + "e.g. tcpdump -w - piped in); without --dump or --export-eml, replay each against the milter and "
                + "compare its replies with the recorded ones.",
            valueName: "file"),
        completion: .file(extensions: ["pcap", "pcapng", "cap"]), transform: { $0 == "-" ? "/dev/stdin" : $0 })
    var pcap: String?

    @Flag(help: "With --pcap: print each session as a transcript (with --json: one JSON object per line).")
    var dump = false

    @Option(
        help: ArgumentHelp("With --pcap: write each recorded message as an .eml file here.", valueName: "dir"),
        completion: .directory)
    var exportEml: String?

    @Option(
        name: .customLong("port"), parsing: .unconditionalSingleValue,
        help:
            "With --pcap: take streams with this port at either end as milter (repeatable); default: streams that open with OPTNEG."
    )
    var ports: [Int] = []

    @Option(
        name: .customLong("ignore-header"),
        help: ArgumentHelp(
            "With --pcap: ignore the value of this header in ADDHEADER, INSHEADER, CHGHEADER (repeatable).",
            valueName: "name"))
    var ignoredHeaders: [String] = []

    @Flag(help: "With --pcap: compare only the SMTP and enhanced codes of REPLYCODE, not the text.")
    var ignoreReplyText = false

    func validate() throws {
        for port in ports { try NumericOption.check(port, "--port", in: 1...65_535) }
        guard pcap == nil else { return }
        if dump || exportEml != nil || !ports.isEmpty || !ignoredHeaders.isEmpty || ignoreReplyText {
            throw ValidationError("--dump, --export-eml, --port, --ignore-header and --ignore-reply-text need --pcap")
        }
    }

    /// The settings these options give.
    var settings: CaptureSettings {
        CaptureSettings(
            pcap: pcap, dump: dump, exportEml: exportEml, ports: ports.map { UInt16($0) },
            ignoredHeaders: ignoredHeaders,
            ignoreReplyText: ignoreReplyText)
    }
}
