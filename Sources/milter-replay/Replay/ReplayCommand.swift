import ArgumentParser
import Foundation
import Logging
import MilterClient
import ReferenceMilter
import Synchronization

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

    @Argument(help: "The .eml files and directories to replay.")
    var inputs: [String]

    func run() async throws {
        let entries = try loadCorpus()
        if let targetText = target.target {
            let summary = try await replay(entries, to: try target.address(targetText))
            throw ExitCode(summary.exitCode)
        }
        // No target: the embedded reference milter, in this process, on 127.0.0.1.
        var logger = Logger(label: "milter-replay.embedded")
        logger.logLevel = .error
        let embedded = try await EmbeddedMilter.start(logger: logger)
        let summary: RunSummary
        do {
            summary = try await replay(entries, to: .inet(host: embedded.host, port: embedded.port))
        } catch {
            await embedded.shutdown()
            throw error
        }
        await embedded.shutdown()
        throw ExitCode(summary.exitCode)
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
        let runner = ReplayRunner(
            entries: entries, address: address, configuration: try target.clientConfiguration(),
            client: envelope.client, connections: load.connections, messagesPerConnection: load.messagesPerConnection,
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
        FileHandle.standardError.write(Data("milter-replay: \(message)\n".utf8))
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
            if !text.isEmpty { FileHandle.standardOutput.write(Data(text.utf8)) }
        }
    }

    func finish(seconds: Double) throws -> RunSummary {
        let (summary, outcomes) = state.withLock { ($0.summary, $0.outcomes) }
        let text =
            output.json ? JSONReport.summary(summary, seconds: seconds) : TextReport.summary(summary, seconds: seconds)
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
        if let path = output.junit {
            let xml = JUnitReport.document(outcomes.sorted { $0.sequence < $1.sequence }, seconds: seconds)
            try Data(xml.utf8).write(to: URL(fileURLWithPath: path))
        }
        return summary
    }
}
