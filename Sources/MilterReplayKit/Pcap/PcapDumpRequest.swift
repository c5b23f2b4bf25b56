import MilterCapture

/// What a read-only `--pcap` run does (transcripts, .eml export): the options of ``PcapDump``, as plain values.
public struct PcapDumpRequest: Hashable, Codable, Sendable {
    /// The capture file.
    public var pcap: String
    /// Whether transcripts are printed.
    public var dump = false
    /// Whether the transcripts are JSON lines.
    public var json = false
    /// Where recorded messages are written as .eml files.
    public var exportEml: String?
    /// The ports that mark a stream as milter; none: streams that open with OPTNEG.
    public var ports: [UInt16] = []

    /// A request to read `pcap`.
    public init(pcap: String, dump: Bool = false, json: Bool = false, exportEml: String? = nil, ports: [UInt16] = []) {
        self.pcap = pcap
        self.dump = dump
        self.json = json
        self.exportEml = exportEml
        self.ports = ports
    }

    /// How streams are found.
    public var extractionOptions: MilterExtractionOptions {
        MilterExtractionOptions(milterPorts: Set(ports), detectByOptionNegotiation: ports.isEmpty)
    }
}

extension PcapDumpRequest {
    /// The request of a command line made only of `--pcap FILE`, `--dump`, `--json`, `--export-eml DIR` and
    /// `--port N` (also as `--option=value`), reading the capture without replaying it; nil for any other line.
    ///
    /// ArgumentParser's first parse costs about 8 ms of reflection, which is an eighth of the time of a
    /// `--dump` of a 100 MB capture; this line, the common one, skips it. Any option it does not know, a repeated
    /// one, a value that starts with `-`, `--help` or a bad port leaves the line to ArgumentParser, which gives
    /// the same request for every line accepted here (a test holds both to it) and the errors for the rest.
    public init?(plainArguments arguments: [String]) {
        var pcap: String?
        var request = PcapDumpRequest(pcap: "")
        var seen: [String] = []  // an array: a set's first use instantiates its metadata, a measurable cost here
        var index = arguments.startIndex
        while index < arguments.endIndex {
            var name = arguments[index]
            var value: String?
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            index += 1
            let takesValue = ["--pcap", "--export-eml", "--port"].contains(name)
            if takesValue && value == nil {
                guard index < arguments.endIndex else { return nil }
                value = arguments[index]
                index += 1
            }
            guard takesValue == (value != nil), name == "--port" || !seen.contains(name) else { return nil }
            seen.append(name)
            if let value, value.isEmpty || value.hasPrefix("-") { return nil }
            switch name {
            case "--pcap": pcap = value
            case "--export-eml": request.exportEml = value
            case "--port":
                guard let port = UInt16(value!), port > 0 else { return nil }
                request.ports.append(port)
            case "--dump": request.dump = true
            case "--json": request.json = true
            default: return nil
            }
        }
        guard let pcap, request.dump || request.exportEml != nil else { return nil }
        request.pcap = pcap
        self = request
    }
}
