import MilterClient
import NIOConcurrencyHelpers
import _MilterSystem

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `milter-replay replay FILES_OR_DIRS...`: sends .eml files to a milter as an MTA would, and reports each verdict
/// against its expectation.
public struct CorpusReplay: Sendable {
    /// The .eml files and directories (walked in sorted order) to replay.
    public var inputs: [String]
    /// MAIL FROM for every message; nil: Return-Path, else From.
    public var from: String?
    /// RCPT TO for every message; empty: To, Cc and Bcc.
    public var recipients: [String]
    /// The SMTP client the played MTA reports.
    public var client: SMTPClient
    /// The MTA played, its protocol version, macros and timeouts.
    public var configuration: MilterClientConfiguration
    /// How much to send, and how fast.
    public var load: LoadSettings
    /// What to expect, and what to print.
    public var output: OutputSettings
    /// A message built on the command line (`--header`, `--body`), replayed instead of `inputs` when set.
    public var builtMessage: [UInt8]?
    /// The most MiB the .eml files may hold together (`--max-corpus-mib`): all are read before the run.
    public var maximumCorpusMiB = CorpusFiles.defaultMaximumCorpusMiB

    /// A replay of `inputs` with the given settings.
    public init(
        inputs: [String], from: String?, recipients: [String], client: SMTPClient,
        configuration: MilterClientConfiguration, load: LoadSettings, output: OutputSettings
    ) {
        self.inputs = inputs
        self.from = from
        self.recipients = recipients
        self.client = client
        self.configuration = configuration
        self.load = load
        self.output = output
    }

    /// Reads the messages and their expectations, and checks that the reports can be written; a corpus that
    /// cannot be used, or a report path that cannot be written, is a usage error.
    public func loadCorpus() throws(EarlyExit) -> [CorpusEntry] {
        if let junit = output.junit, let problem = OutputPath.problem(writingFile: junit, option: "--junit") {
            throw EarlyExit.usage(problem)
        }
        if let report = output.report, let problem = OutputPath.problem(writingFile: report, option: "--report") {
            throw EarlyExit.usage(problem)
        }
        let entries: [CorpusEntry]
        do throws(CorpusError) {
            let manifest = try output.manifest.map { path throws(CorpusError) in
                try Manifest(path: path, showsValues: output.showValues)
            }
            var loader = CorpusLoader(
                from: from, recipients: recipients, manifest: manifest, defaultExpectation: output.expect)
            loader.maximumTotalBytes = maximumCorpusMiB << 20
            let files = try CorpusFiles.list(inputs)
            if let builtMessage {
                entries = [try loader.entry(Self.builtName, bytes: builtMessage)]
            } else {
                entries = try loader.load(files)
            }
            if let unmatched = manifest?.unmatchedLines(among: files), !unmatched.isEmpty {
                throw CorpusError(
                    description: "the manifest names files that are not among the inputs:\n  "
                        + unmatched.joined(separator: "\n  "))
            }
        } catch {
            throw EarlyExit.usage(error.description)
        }
        guard !entries.isEmpty else { throw EarlyExit.usage("no .eml files found in \(inputs.joined(separator: " "))") }
        return entries
    }

    /// The error of a run that stopped at a connect failure before any connection was open, though one opened:
    /// `the run stopped early: cannot connect to 127.0.0.1:7044: connection refused, before any connection was
    /// open; 2984 messages not sent`.
    static func stoppedEarly(_ stopped: (reason: String, notSent: Int?)) -> String {
        "the run stopped early: \(stopped.reason), before any connection was open; "
            + (stopped.notSent.map { "\($0) messages not sent" } ?? "the rest of the duration was not run")
    }

    /// Writes the reports asked for (the `--json` summary, `--junit`, `--report`) of a run whose milter did not
    /// start (`--start` failed, `reason` said on standard error already), as for a milter that cannot be reached.
    public func reportNotStarted(_ reason: String) {
        let collector = OutcomeCollector(output: output, progress: ProgressLine(total: 0), rate: load.rate)
        if let failure = collector.finishUnreachable(reason, seconds: 0, headline: UnreachableReport.notStarted) {
            FileDescriptorWriter.standardError("milter-replay: \(failure)\n")
        }
    }

    /// Prints the summary and writes the reports asked for (`--json`, `--junit`, `--report`) of a run that `signal`
    /// ended while the `--start` milter was starting, before any of `entries` was sent: marked interrupted, nothing
    /// run, every message due counted as not sent.
    public func reportInterruptedBeforeRun(_ signal: Int32, entries: [CorpusEntry]) {
        let queue = WorkQueue(
            corpusSize: entries.count, repeat: load.repeat, duration: load.duration.map { .seconds($0) },
            rate: load.rate, start: .now)
        let collector = OutcomeCollector(output: output, progress: ProgressLine(total: 0), rate: load.rate)
        Self.finish(collector, Interrupted(signal: signal, notStarted: Self.notStarted(queue)), seconds: 0, queue)
    }

    /// The messages of the run never started, when the run is counted (`--repeat`, or `--duration` with `--rate`).
    private static func notStarted(_ queue: WorkQueue) -> Int? { queue.due.map { max(0, $0 - queue.taken) } }

    /// Prints the summary of a run cut by `interrupted` and writes its reports, with what had ended.
    private static func finish(
        _ collector: OutcomeCollector, _ interrupted: Interrupted, seconds: Double, _ queue: WorkQueue
    ) {
        let (_, writeFailure) = collector.finish(seconds: seconds, due: queue.due, interrupted: interrupted)
        FileDescriptorWriter.standardError("milter-replay: \(TextReport.messagesLine(interrupted))\n")
        if let writeFailure { FileDescriptorWriter.standardError("milter-replay: \(writeFailure)\n") }
    }

    /// How reports name the message built on the command line.
    static let builtName = "(command line)"

    /// Sends `entries` to the milter at `address`, printing each outcome as it comes, then the summary (and the
    /// JUnit report); returns the exit code: 2 when the JUnit report cannot be written (said on standard error).
    public func run(_ entries: [CorpusEntry], against address: MilterAddress) async -> Int32 {
        let start = ContinuousClock.now
        let queue = WorkQueue(
            corpusSize: entries.count, repeat: load.repeat, duration: load.duration.map { .seconds($0) },
            rate: load.rate, start: start)
        let progress = ProgressLine(total: queue.count)
        let collector = OutcomeCollector(output: output, progress: progress, rate: load.rate)
        var configuration = configuration
        // Only --show-message and the manifest's header-present/absent look at the message after the milter;
        // without them, do not build it.
        configuration.buildsResultingMessage =
            output.showMessage || entries.contains { $0.moreExpectations?.result != nil }
        // Repeated exchanges are sent from their record only where nothing needs the message after the
        // milter, and only by blocking connections (the default driver; not with --threads).
        if load.reusesExchanges, load.threads == nil, !configuration.buildsResultingMessage {
            configuration.exchangeMemos = ExchangeMemoStore()
        }
        let notAMilter = NIOLockedValueBox<String?>(nil)
        var runner = ReplayRunner(
            entries: entries, address: address, configuration: configuration,
            client: client, connections: load.connections, threads: load.threads,
            messagesPerConnection: load.messagesPerConnection,
            queue: queue
        ) { outcome in
            // A target that is no milter: one line at the end, as for one that cannot be reached; no row.
            if let line = NotAMilter.line(address, outcome) {
                notAMilter.withLockedValue { $0 = $0 ?? line }
                queue.stop()
                return
            }
            collector.add(outcome)
            progress.advance()
            // Output lost (a reader gone, a full disk): nothing more could be reported; the end says why.
            if StandardOutput.failure != nil { queue.stop() }
        }
        if output.verbose { runner.transcriptsAsJSON = output.json }
        runner.showsValues = output.showValues
        let progressTask = Task { await progress.run(start: start) }
        // SIGINT or SIGTERM: no message starts from then on; those in flight end, or are cut (see RunInterruption).
        let interruption = RunInterruption.shared
        let stopKey = interruption.onSignal { queue.stop() }
        interruption.cut = { signal in
            let interrupted = Interrupted(
                signal: signal, notStarted: Self.notStarted(queue), cut: max(0, queue.taken - collector.reported))
            Self.finish(collector, interrupted, seconds: Double(start.duration(to: .now).microseconds) / 1e6, queue)
        }
        defer {
            interruption.removeHandler(stopKey)
            interruption.cut = nil
        }
        let ending = await runner.run()
        if !interruption.workEnded() { await interruption.parkUntilExit() }
        progressTask.cancel()
        await progressTask.value
        if let unreachable = ending.unreachable ?? notAMilter.withLockedValue({ $0 }) {
            FileDescriptorWriter.standardError("milter-replay: \(unreachable)\n")
            // The reports are written all the same, saying why; the exit code stays that of the unreachable milter.
            let seconds = Double(start.duration(to: .now).microseconds) / 1e6
            if let failure = collector.finishUnreachable(unreachable, seconds: seconds) {
                FileDescriptorWriter.standardError("milter-replay: \(failure)\n")
            }
            return ExitCodes.connectFailed
        }
        let seconds = Double(start.duration(to: ending.workEnded).microseconds) / 1e6
        let interrupted = interruption.signal.map { Interrupted(signal: $0, notStarted: Self.notStarted(queue)) }
        let (summary, writeFailure) = collector.finish(
            seconds: seconds, exchangeReuse: configuration.exchangeMemos.map(ExchangeReuseCounts.init),
            due: queue.due, interrupted: interrupted)
        if let interrupted {
            FileDescriptorWriter.standardError("milter-replay: \(TextReport.messagesLine(interrupted))\n")
        }
        if let pacing = summary.pacing, !pacing.keptUp {
            FileDescriptorWriter.standardError("milter-replay: warning: \(TextReport.fellBehind(pacing))\n")
        }
        if let stopped = ending.stoppedEarly {
            FileDescriptorWriter.standardError("milter-replay: \(Self.stoppedEarly(stopped))\n")
        }
        let observer = configuration.quitObserver
        if observer.unobserved > 0 {
            FileDescriptorWriter.standardError(
                "milter-replay: warning: \(observer.unobserved) connections closed right after QUIT, unobserved: "
                    + "\(observer.maximumConnections) were already being watched\n")
        }
        if let writeFailure {
            FileDescriptorWriter.standardError("milter-replay: \(writeFailure)\n")
            return ExitCodes.usage
        }
        return summary.exitCode
    }
}
