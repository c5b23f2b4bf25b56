import MilterCapture

/// `--pcap FILE` and what goes with it, as plain values: transcripts, .eml export, or replay-and-compare.
public struct CaptureSettings: Sendable {
    /// The capture file; nil: the inputs are .eml files.
    public var pcap: String?
    /// Whether each session is printed as a transcript.
    public var dump: Bool
    /// Where each recorded message is written as an .eml file, if anywhere.
    public var exportEml: String?
    /// The ports that mark a stream as milter; none: streams that open with OPTNEG.
    public var ports: [UInt16]
    /// Headers whose values the comparison ignores in ADDHEADER, INSHEADER and CHGHEADER.
    public var ignoredHeaders: [String]
    /// Whether the comparison looks only at the SMTP and enhanced codes of REPLYCODE.
    public var ignoreReplyText: Bool

    /// No capture.
    public init(
        pcap: String? = nil, dump: Bool = false, exportEml: String? = nil, ports: [UInt16] = [],
        ignoredHeaders: [String] = [], ignoreReplyText: Bool = false
    ) {
        self.pcap = pcap
        self.dump = dump
        self.exportEml = exportEml
        self.ports = ports
        self.ignoredHeaders = ignoredHeaders
        self.ignoreReplyText = ignoreReplyText
    }

    /// Whether the capture is only read (transcripts, export), not replayed.
    public var readsOnly: Bool { dump || exportEml != nil }

    /// How streams are found.
    public var extractionOptions: MilterExtractionOptions { dumpRequest(json: false).extractionOptions }

    /// The read-only run these settings ask for (with ``pcap``), its transcripts JSON when `json`.
    public func dumpRequest(json: Bool) -> PcapDumpRequest {
        PcapDumpRequest(pcap: pcap ?? "", dump: dump, json: json, exportEml: exportEml, ports: ports)
    }

    /// What the comparison ignores.
    public var mask: ReplyMask { ReplyMask(ignoredHeaders: ignoredHeaders, ignoreReplyText: ignoreReplyText) }
}
