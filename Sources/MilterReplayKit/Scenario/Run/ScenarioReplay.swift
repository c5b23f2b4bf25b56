import MilterClient
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
        var summary = ScenarioSummary()
        var outcomes: [ScenarioOutcome] = []
        for scenario in loaded.scenarios {
            let outcome = await ScenarioRunner.run(scenario, target: address, options: options)
            summary.add(outcome)
            outcomes.append(outcome)
            if output.json {
                FileDescriptorWriter.standardOutput(ScenarioJSONReport.line(outcome) + "\n")
            } else if !output.quiet {
                FileDescriptorWriter.standardOutput(ScenarioTextReport.block(outcome, verbose: verbose) + "\n")
            }
        }
        let seconds = Double(start.duration(to: .now).microseconds) / 1e6
        let text =
            output.json
            ? ScenarioJSONReport.summary(summary, seconds: seconds)
            : ScenarioTextReport.summary(summary, seconds: seconds)
        FileDescriptorWriter.standardOutput(text + "\n")
        if let path = output.junit,
            let failure = OutputPath.write(
                ScenarioJUnitReport.document(outcomes, seconds: seconds), to: path, option: "--junit",
                ownerOnly: options.showsValues)
        {
            FileDescriptorWriter.standardError("milter-replay: \(failure)\n")
            return ExitCodes.usage
        }
        return summary.exitCode
    }
}
