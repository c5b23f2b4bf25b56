/// The examples that end each command's `--help` (ArgumentParser has no epilogue, so `main` appends them).
enum HelpExamples {
    /// The examples for the command whose help `arguments` ask for: `record`'s, else `replay`'s (the default).
    static func text(for arguments: [String]) -> String {
        if arguments.contains("scenario") { return scenario }
        if arguments.contains("conformance") { return conformance }
        return arguments.contains("record") ? record : arguments.contains("merge") ? merge : replay
    }

    /// `milter-replay merge`.
    static let merge = """

        EXAMPLES:
          milter-replay --target mx1:7044 --connections 64 --duration 60 --json load.eml > a.json   # machine A
          milter-replay --target mx1:7044 --connections 64 --duration 60 --json load.eml > b.json   # machine B
          milter-replay merge a.json b.json                   # the percentiles of both runs together

        """

    /// `milter-replay replay` (and the root command, which defaults to it).
    static let replay = """

        EXAMPLES:
          milter-replay fixtures/eml                          # the embedded reference milter, every .eml
          milter-replay --target 127.0.0.1:7044 mail.eml      # any milter: HOST:PORT, [::1]:PORT, unix:/path
          milter-replay --target inet:7044@127.0.0.1 --mta sendmail --protocol-version 2 mail.eml
          milter-replay --target unix:/run/milter.sock --manifest expected.txt --junit report.xml corpus/
          milter-replay --target 127.0.0.1:7044 --connections 64 --duration 30 --rate 500 --quiet load.eml
          milter-replay --target 127.0.0.1:7044 --json --timeout 5 corpus/ > results.jsonl
          milter-replay --pcap cap.pcapng --dump              # a capture's sessions as transcripts
          milter-replay --pcap cap.pcapng --target 127.0.0.1:7044   # replay a capture and compare the replies

        """

    /// `milter-replay record`.
    static let record = """

        EXAMPLES:
          milter-replay record --listen 127.0.0.1:7045 --upstream 127.0.0.1:7044 --write milter.pcapng
          milter-replay record --listen unix:/run/rec.sock --upstream unix:/run/milter.sock --write cap.pcapng
          milter-replay --pcap milter.pcapng --dump           # read the recording back

        """
}
