import ArgumentParser
import Logging
import MilterClient
import ReferenceMilter
import Synchronization
import _MilterSystem

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `milter-replay replay [--target ADDR] FILES_OR_DIRS...`: the default subcommand.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay .eml files (directories are walked in sorted order) against a milter.",
        discussion: """
            Exit codes: 0 every message as expected, 1 an expectation mismatch or a protocol finding, \
            2 usage error, 3 could not connect. Expected verdicts come from an X-Milter-Expect header \
            (stripped before sending), --manifest, or --expect.
            """)

    @OptionGroup(title: "Milter") var target: TargetOptions
    @OptionGroup(title: "Envelope and client") var envelope: EnvelopeOptions
    @OptionGroup(title: "Load") var load: LoadOptions
    @OptionGroup(title: "Expectations and output") var output: OutputOptions
    @OptionGroup(title: "Captures") var capture: PcapOptions

    @Argument(help: "The .eml files and directories to replay.")
    var inputs: [String] = []

    func validate() throws {
        if capture.pcap == nil, inputs.isEmpty {
            throw ValidationError("give .eml files or directories, or --pcap FILE")
        }
        guard capture.pcap != nil else { return }
        if !inputs.isEmpty { throw ValidationError("--pcap replays a capture: give no .eml inputs") }
        let unused = [
            ("--expect", output.expect != nil), ("--manifest", output.manifest != nil),
            ("--junit", output.junit != nil),
            ("--show-message", output.showMessage), ("--from", envelope.from != nil),
            ("--rcpt", !envelope.rcpt.isEmpty),
            ("--macro", !target.macros.isEmpty),
        ]
        if let (name, _) = unused.first(where: \.1) {
            throw ValidationError(
                "\(name) does not apply to --pcap: a capture replays its recorded envelope and macros")
        }
    }

    func run() async throws {
        if capture.pcap != nil {
            if capture.readsOnly { throw ExitCode(PcapDump.run(capture.dumpRequest(json: output.json))) }
            let replay = PcapReplay(
                options: capture, load: load, output: output, configuration: try target.clientConfiguration())
            let held = try replay.prepare()
            throw ExitCode(try await withTarget { await replay.run(held, against: $0) })
        }
        let entries = try loadCorpus()
        throw ExitCode(try await withTarget { try await replay(entries, to: $0).exitCode })
    }

    /// Runs `body` against `--target`, or, without one, against the embedded reference milter
    /// (in this process, on 127.0.0.1); returns its exit code.
    private func withTarget(_ body: (MilterAddress) async throws -> Int32) async throws -> Int32 {
        if let targetText = target.target { return try await body(try target.address(targetText)) }
        var logger = Logger(label: "milter-replay.embedded")
        logger.logLevel = .error
        let embedded = try await EmbeddedMilter.start(logger: logger)
        let code: Int32
        do {
            code = try await body(.inet(host: embedded.host, port: embedded.port))
        } catch {
            await embedded.shutdown()
            throw error
        }
        await embedded.shutdown()
        return code
    }

    private func loadCorpus() throws -> [CorpusEntry] {
        let entries: [CorpusEntry]
        do {
            let manifest = try output.manifest.map { path throws(CorpusError) in try Manifest(path: path) }
            let loader = CorpusLoader(
                from: envelope.from, recipients: envelope.rcpt, manifest: manifest, defaultExpectation: output.expect)
            entries = try loader.load(try CorpusFiles.list(inputs))
        } catch {
            throw usage(error.description)
        }
        guard !entries.isEmpty else { throw usage("no .eml files found in \(inputs.joined(separator: " "))") }
        return entries
    }

    private func replay(_ entries: [CorpusEntry], to address: MilterAddress) async throws -> RunSummary {
        let start = ContinuousClock.now
        let queue = WorkQueue(
            corpusSize: entries.count, repeat: load.repeat, duration: load.duration.map { .seconds($0) },
            rate: load.rate, start: start)
        let collector = OutcomeCollector(output: output)
        let progress = ProgressLine(total: queue.count)
        var configuration = try target.clientConfiguration()
        // Only --show-message looks at the message after the milter; without it, do not build it.
        configuration.buildsResultingMessage = output.showMessage
        let runner = ReplayRunner(
            entries: entries, address: address, configuration: configuration,
            client: envelope.client, connections: load.connections, threads: load.effectiveThreads,
            messagesPerConnection: load.messagesPerConnection,
            queue: queue
        ) { outcome in
            collector.add(outcome)
            progress.advance()
        }
        let progressTask = Task { await progress.run(start: start) }
        await runner.run()
        progressTask.cancel()
        await progressTask.value
        let seconds = Double(start.duration(to: .now).microseconds) / 1e6
        return try collector.finish(seconds: seconds)
    }

    private func usage(_ message: String) -> ExitCode {
        FileDescriptorWriter.standardError("milter-replay: \(message)\n")
        return ExitCode(ExitCodes.usage)
    }
}

/// Prints each outcome as it comes and keeps what the summary and JUnit need.
final class OutcomeCollector: Sendable {
    private let output: OutputOptions
    private let state = Mutex((summary: RunSummary(), outcomes: [MessageOutcome]()))

    init(output: OutputOptions) { self.output = output }

    func add(_ outcome: MessageOutcome) {
        var text = ""
        if output.json {
            text = JSONReport.line(outcome, includeMessage: output.showMessage) + "\n"
        } else if !output.quiet {
            text = TextReport.line(outcome) + "\n"
            if output.showMessage, let message = TextReport.message(outcome) { text += message }
        }
        state.withLock { state in
            state.summary.add(outcome)
            if output.junit != nil { state.outcomes.append(outcome) }
            if !text.isEmpty { FileDescriptorWriter.standardOutput(text) }
        }
    }

    func finish(seconds: Double) throws -> RunSummary {
        let (summary, outcomes) = state.withLock { ($0.summary, $0.outcomes) }
        let text =
            output.json ? JSONReport.summary(summary, seconds: seconds) : TextReport.summary(summary, seconds: seconds)
        FileDescriptorWriter.standardOutput(text + "\n")
        if let path = output.junit {
            let xml = JUnitReport.document(outcomes.sorted { $0.sequence < $1.sequence }, seconds: seconds)
            try Data(xml.utf8).write(to: URL(fileURLWithPath: path))
        }
        return summary
    }
}
