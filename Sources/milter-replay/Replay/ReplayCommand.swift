import ArgumentParser
import MilterClient
import MilterReplayKit
import ReferenceMilter

/// `milter-replay replay [--target ADDR] FILES_OR_DIRS...`: the default subcommand.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay .eml files (directories are walked in sorted order) against a milter.",
        discussion: """
            Exit codes: 0 every message as expected; 1 an expectation mismatch or a protocol finding; \
            2 usage error (a bad option or value, a missing input, a manifest line that matches no input, \
            a report that cannot be written); 3 could not connect (at once, when no connection to the \
            milter opens at all; at the end, when some failed, out of file descriptors too, or the run \
            stopped early, said with how many messages were not sent), or an input error (a message the MTA \
            would not offer to the milter: a NUL in its envelope); 130 or 143 SIGINT (Ctrl-C) or SIGTERM \
            stopped the run: no message or session starts after it, those in flight get 5 s, the summary and \
            reports cover what ran, marked interrupted, and the --start milter is stopped (a second signal exits \
            at once). With --pcap: 1 a session differs, is not replayable or was not compared. Expected verdicts come from an \
            X-Milter-Expect header (stripped before sending), --manifest, or --expect. Without --target, \
            the embedded reference milter is started on 127.0.0.1. Seconds (--timeout, --duration, \
            --observe-after-quit, --start-timeout) are written in decimal digits (30, 0.5): 0x10 or 1e3 is a usage error.
            """)

    @OptionGroup(title: "Milter") var target: TargetOptions
    @OptionGroup(title: "Envelope and client") var envelope: EnvelopeOptions
    @OptionGroup(title: "Load") var load: LoadOptions
    @OptionGroup(title: "Expectations and output") var output: OutputOptions
    @OptionGroup(title: "Captures") var capture: PcapOptions
    @OptionGroup(title: "Starting the milter") var start: StartOptions

    @OptionGroup(title: "A message built on the command line") var built: MessageOptions

    @Argument(
        help: "The .eml files and directories to replay; - reads a message from standard input.",
        completion: .file(extensions: ["eml"]))
    var inputs: [String] = []

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "The most MiB the .eml inputs may hold together, 1 to 1048576 (default "
                + "\(CorpusFiles.defaultMaximumCorpusMiB)): every message is read into memory before the run.",
            valueName: "MiB"))
    var maxCorpusMib: Int?

    func validate() throws {
        try NumericOption.check(maxCorpusMib, "--max-corpus-mib", in: 1...1_048_576)
        try start.validate(target: target.target)
        if capture.pcap == nil, inputs.isEmpty, !built.buildsMessage {
            throw ValidationError("give .eml files or directories, --header and --body, or --pcap FILE")
        }
        if output.verbose, output.quiet {
            throw ValidationError("--verbose prints transcripts, --quiet only the summary: give one")
        }
        if built.buildsMessage, !inputs.isEmpty {
            throw ValidationError("--header and --body build the message: give no .eml inputs")
        }
        guard capture.pcap != nil else { return }
        if !inputs.isEmpty { throw ValidationError("--pcap replays a capture: give no .eml inputs") }
        if output.verbose {
            throw ValidationError("--verbose applies to .eml replays; --pcap FILE --dump prints a capture's sessions")
        }
        if target.observeAfterQuit != nil {
            throw ValidationError(
                "--observe-after-quit does not apply to --pcap: a replay ends each session as recorded")
        }
        let recorded = "a capture replays its recorded envelope and macros"
        let unused = [
            ("--expect", output.expect != nil, "a capture replay compares each reply with the recorded one"),
            ("--manifest", output.manifest != nil, "a capture replay compares each reply with the recorded one"),
            ("--junit", output.junit != nil, "a capture replay reports sessions, not messages (--json, --report)"),
            ("--show-message", output.showMessage, "a capture replay compares replies, it builds no message"),
            ("--max-corpus-mib", maxCorpusMib != nil, "it limits the .eml inputs"),
            ("--from", envelope.from != nil, recorded), ("--rcpt", !envelope.rcpt.isEmpty, recorded),
            ("--macro", !target.macros.isEmpty, recorded), ("--relay-host", target.relayHost != nil, recorded),
            ("--header and --body", built.buildsMessage, recorded),
            // The recorded OPTNEG offer, CONNECT and HELO are sent as they were: these were silently ignored.
            ("--protocol-version", target.protocolVersion != 6, "a capture replays its recorded OPTNEG offer"),
            ("--client-addr", envelope.client.address != SMTPClient().address, recorded),
            ("--client-name", envelope.client.hostname != SMTPClient().hostname, recorded),
            ("--helo", envelope.client.helo != SMTPClient().helo, recorded),
        ]
        if let (name, _, reason) = unused.first(where: \.1) {
            throw ValidationError("\(name) \(name.contains(" and ") ? "do" : "does") not apply to --pcap: \(reason)")
        }
        guard capture.settings.readsOnly else { return }
        // --dump and --export-eml only read the capture: nothing is sent, so nothing of a replay applies.
        let replayOnly = [
            ("--target", target.target != nil), ("--start", start.start != nil), ("--report", output.report != nil),
            ("--connections", load.connections != 1), ("--messages-per-connection", load.messagesPerConnection != 1),
            ("--repeat", load.repeat != nil), ("--duration", load.duration != nil), ("--rate", load.rate != nil),
            ("--threads", load.threads != nil), ("--mta", target.mta != "postfix"),
            ("--timeout", target.timeout != nil),
            ("--ignore-header", !capture.ignoredHeaders.isEmpty), ("--ignore-reply-text", capture.ignoreReplyText),
            ("--no-exchange-reuse", load.noExchangeReuse),
        ]
        if let (name, _) = replayOnly.first(where: \.1) {
            throw ValidationError(
                "\(name) does not apply to --pcap --dump or --export-eml: they only read the capture; "
                    + "leave them out to replay it")
        }
    }

    func run() async throws {
        // Many connections need many descriptors: the soft limit goes up to the hard one, as the daemon's does.
        DescriptorLimit.raiseSoftToHard()
        // The event loops of --threads and of the embedded reference milter (one) need descriptors of their own,
        // which SwiftNIO does not do without: it ends the process.
        let readsOnly = capture.pcap != nil && capture.settings.readsOnly
        let eventLoops = (load.threads ?? 0) + (target.target == nil && !readsOnly ? 1 : 0)
        if let shortfall = DescriptorLimit.eventLoopShortfall(eventLoops) { throw EarlyExit.usage(shortfall) }
        if capture.pcap != nil {
            let settings = capture.settings
            if settings.readsOnly { throw ExitCode(PcapDump.run(settings.dumpRequest(json: output.json))) }
            RunInterruption.shared.install()
            let replay = PcapReplay(
                capture: settings, load: load.settings, output: output.settings,
                configuration: try target.clientConfiguration())
            let prepared = try replay.prepare()
            throw ExitCode(
                try await withMilter(
                    notStarted: replay.reportNotStarted,
                    interrupted: { replay.reportInterruptedBeforeRun($0, prepared: prepared) }
                ) { await replay.run(prepared, against: $0) })
        }
        var corpus = CorpusReplay(
            inputs: inputs, from: envelope.from, recipients: envelope.rcpt, client: envelope.client,
            configuration: try target.clientConfiguration(), load: load.settings, output: output.settings)
        if built.buildsMessage { corpus.builtMessage = try built.message(regularOnly: true) }
        if let maxCorpusMib { corpus.maximumCorpusMiB = maxCorpusMib }
        let entries = try corpus.loadCorpus()
        // SIGINT and SIGTERM end the run with its summary and reports, and stop a milter --start started.
        RunInterruption.shared.install()
        throw ExitCode(
            try await withMilter(
                notStarted: corpus.reportNotStarted,
                interrupted: { [corpus] in corpus.reportInterruptedBeforeRun($0, entries: entries) }
            ) { await corpus.run(entries, against: $0) })
    }

    /// The target, with the milter started first when --start is given (`notStarted` writes the reports of one
    /// that does not start, `interrupted` those of a run a signal ended while it started), or the embedded
    /// reference milter.
    private func withMilter(
        notStarted: (String) -> Void, interrupted: @escaping @Sendable (Int32) -> Void,
        _ body: (MilterAddress) async throws -> Int32
    ) async throws -> Int32 {
        guard let text = target.target else { return try await target.withMilter(body) }
        let address = try target.address(text)
        return try await start.run(at: address, notStarted: notStarted, interrupted: interrupted) {
            try await body(address)
        }
    }
}
