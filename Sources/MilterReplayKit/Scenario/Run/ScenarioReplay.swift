import MilterClient
import NIOConcurrencyHelpers
import _MilterSystem

/// `milter-replay scenario FILE...`: reads scenario files, plays them against a milter, prints each outcome
/// and the totals, and writes the JUnit report.
public struct ScenarioReplay: Sendable {
    /// The scenario files.
    public var files: [String]
    /// The report options: `json`, `junit`, `quiet` (the manifest and expect options do not apply).
    public var output: OutputSettings
    /// Whether every expectation is listed, passed ones too.
    public var verbose: Bool
    package var options: ScenarioRunOptions

    /// A run of `files`; `showValues` shows the milter's and the message's values in failures unredacted.
    public init(
        files: [String], output: OutputSettings, verbose: Bool = false, showValues: Bool = false,
        timeouts: MilterTimeouts? = nil
    ) {
        self.files = files
        self.output = output
        self.verbose = verbose
        self.options = ScenarioRunOptions(showsValues: showValues, timeouts: timeouts)
    }

    /// Opaque parsed scenarios, ready to run.
    public struct Loaded: Sendable {
        package let scenarios: [Scenario]
    }

    /// Reads every file; a file with an error, or a report path that cannot be written, is a usage error.
    public func load() throws(EarlyExit) -> Loaded {
        if let junit = output.junit, let problem = OutputPath.problem(writingFile: junit, option: "--junit") {
            throw EarlyExit.usage(problem)
        }
        guard !files.isEmpty else { throw EarlyExit.usage("no scenario file given") }
        var scenarios: [Scenario] = []
        for file in files {
            do {
                scenarios += try ScenarioParser.load(file)
            } catch {
                throw EarlyExit.usage(error.description)
            }
        }
        return Loaded(scenarios: scenarios)
    }

    /// Runs the scenarios one after the other against `address`; returns the exit code.
    public func run(_ loaded: Loaded, against address: MilterAddress) async -> Int32 {
        let start = ContinuousClock.now
        let seconds: @Sendable () -> Double = { Double(start.duration(to: .now).microseconds) / 1e6 }
        // What ended, for the reports of a run that a signal cut (RunInterruption).
        let ended = NIOLockedValueBox((summary: ScenarioSummary(), outcomes: [ScenarioOutcome]()))
        let interruption = RunInterruption.shared
        let total = loaded.scenarios.count
        interruption.cut = { [self] signal in
            var (summary, outcomes) = ended.withLockedValue { $0 }
            summary.interrupted = Interrupted(signal: signal, notStarted: total - outcomes.count - 1, cut: 1)
            FileDescriptorWriter.standardError("milter-replay: \(ScenarioSummary.line(summary.interrupted!))\n")
            _ = report(outcomes, summary: summary, seconds: seconds())
        }
        defer { interruption.cut = nil }
        for scenario in loaded.scenarios {
            // SIGINT or SIGTERM: no scenario starts from then on.
            if interruption.signal != nil { break }
            let outcome = await ScenarioRunner.run(scenario, target: address, options: options)
            // A target that is no milter: said once, every scenario unreachable for it in the reports, exit 3.
            if case .unreachable(let reason) = outcome.status, NotAMilter.isLine(reason) {
                FileDescriptorWriter.standardError("milter-replay: \(reason)\n")
                reportUnreached(loaded, reason: reason)
                return ExitCodes.connectFailed
            }
            ended.withLockedValue {
                $0.summary.add(outcome)
                $0.outcomes.append(outcome)
            }
            if output.json {
                FileDescriptorWriter.standardOutput(ScenarioJSONReport.line(outcome) + "\n")
            } else if !output.quiet {
                FileDescriptorWriter.standardOutput(ScenarioTextReport.block(outcome, verbose: verbose) + "\n")
            }
        }
        if !interruption.workEnded() { await interruption.parkUntilExit() }
        var (summary, outcomes) = ended.withLockedValue { $0 }
        if let signal = interruption.signal {
            summary.interrupted = Interrupted(signal: signal, notStarted: total - outcomes.count)
            FileDescriptorWriter.standardError("milter-replay: \(ScenarioSummary.line(summary.interrupted!))\n")
        }
        return report(outcomes, summary: summary, seconds: seconds())
    }

    /// Writes the reports asked for (`--json`, `--junit`) of a run whose milter did not start (`--start` failed,
    /// `reason` said on standard error already): every scenario an error with that reason, as when the milter
    /// cannot be reached.
    public func reportNotStarted(_ loaded: Loaded, reason: String) {
        reportUnreached(loaded, reason: "the milter did not start: \(reason)")
    }

    /// Prints the summary and writes the reports asked for (`--json`, `--junit`) of a run that `signal` ended while
    /// the `--start` milter was starting: marked interrupted, no scenario run, all of them not started.
    public func reportInterruptedBeforeRun(_ loaded: Loaded, signal: Int32) {
        var summary = ScenarioSummary()
        summary.interrupted = Interrupted(signal: signal, notStarted: loaded.scenarios.count)
        FileDescriptorWriter.standardError("milter-replay: \(ScenarioSummary.line(summary.interrupted!))\n")
        _ = report([], summary: summary, seconds: 0)
    }

    /// Writes the reports asked for (`--json`, `--junit`) of a run that reached no milter: every scenario
    /// unreachable for `reason`, said on standard error already.
    private func reportUnreached(_ loaded: Loaded, reason: String) {
        var summary = ScenarioSummary()
        let outcomes = loaded.scenarios.map {
            ScenarioOutcome(
                name: $0.name, metadata: $0.metadata, location: $0.location, status: .unreachable(reason),
                checks: [], duration: .zero)
        }
        for outcome in outcomes {
            summary.add(outcome)
            if output.json { FileDescriptorWriter.standardOutput(ScenarioJSONReport.line(outcome) + "\n") }
        }
        // The scenarios' blocks would repeat on standard output what standard error said: JSON and JUnit only.
        _ = report(outcomes, summary: summary, seconds: 0, printsSummary: output.json)
    }

    /// Prints the summary (unless `printsSummary` is false) and writes the JUnit report; returns the exit code.
    private func report(
        _ outcomes: [ScenarioOutcome], summary: ScenarioSummary, seconds: Double, printsSummary: Bool = true
    ) -> Int32 {
        let text =
            output.json
            ? ScenarioJSONReport.summary(summary, seconds: seconds)
            : ScenarioTextReport.summary(summary, seconds: seconds)
        if printsSummary { FileDescriptorWriter.standardOutput(text + "\n") }
        if let path = output.junit,
            let failure = OutputPath.write(
                ScenarioJUnitReport.document(outcomes, seconds: seconds, interrupted: summary.interrupted), to: path,
                option: "--junit",
                ownerOnly: options.showsValues)
        {
            FileDescriptorWriter.standardError("milter-replay: \(failure)\n")
            return ExitCodes.usage
        }
        return summary.exitCode
    }
}
