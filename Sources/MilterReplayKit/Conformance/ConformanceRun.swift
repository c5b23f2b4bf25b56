import MilterClient
import MilterProtocol
import NIOConcurrencyHelpers
import _MilterSystem

/// `milter-replay conformance`: the options as plain values, the run, the reports and the exit status.
package struct ConformanceRun: Sendable {
    package var configuration: MilterClientConfiguration
    /// Case identifiers or areas to run; empty: all.
    package var only: [String]
    package var json: Bool
    package var junit: String?
    /// Where the HTML report goes, if anywhere.
    package var report: String?

    package init(
        configuration: MilterClientConfiguration, only: [String], json: Bool, junit: String?, report: String? = nil
    ) {
        self.report = report
        self.configuration = configuration
        self.only = only
        self.json = json
        self.junit = junit
    }

    /// The cases `--only` selects, in catalogue order; an identifier that names no case or area is a usage error.
    package static func select(_ only: [String]) throws(EarlyExit) -> [ConformanceCase] {
        guard !only.isEmpty else { return Catalogue.all }
        for name in only where !Catalogue.all.contains(where: { $0.id == name || $0.area == name }) {
            throw EarlyExit.usage("--only \(name): no such case or area (see conformance --list)")
        }
        return Catalogue.all.filter { only.contains($0.id) || only.contains($0.area) }
    }

    /// Checks the options that can fail before any connection: the cases and the report path.
    package func prepare() throws(EarlyExit) -> [ConformanceCase] {
        if let junit, let problem = OutputPath.problem(writingFile: junit, option: "--junit") {
            throw EarlyExit.usage(problem)
        }
        if let report, let problem = OutputPath.problem(writingFile: report, option: "--report") {
            throw EarlyExit.usage(problem)
        }
        return try Self.select(only)
    }

    /// Runs `cases` against `address`, prints the report, writes the JUnit file; returns the exit status:
    /// 0 no must case failed, 1 one did, 2 the report could not be written, 3 the milter could not be reached, did
    /// not answer the probe's OPTNEG in time, or answered it with no milter frame at all (``notAMilter(_:)``).
    package func run(_ cases: [ConformanceCase], against address: MilterAddress) async -> Int32 {
        let suite = ConformanceSuite(address: address, configuration: configuration)
        let start = ContinuousClock.now
        let seconds = { Double(start.duration(to: .now).microseconds) / 1e6 }
        let probe: (asked: NegotiatedOptions, problem: Finding?)
        do { probe = try await suite.probe() } catch {
            return stop(
                UnreachableReport(
                    reason: "\(error)", suite: Self.suite, consequence: "no case was run", seconds: seconds()))
        }
        // A milter that does not answer the offer at all would only time out in every case, one timeout each.
        if let problem = probe.problem, case .timeout = problem.kind {
            return stop(
                UnreachableReport(
                    headline: "no case can be judged", reason: "the milter did not answer OPTNEG (\(problem))",
                    suite: Self.suite, consequence: "no case was run", seconds: seconds()))
        }
        // Nor can a peer that answers OPTNEG with no milter frame at all (an SMTP server's "220 " greeting): every
        // case would fail at its own OPTNEG, each with the same untrue reason.
        if let problem = probe.problem, let line = NotAMilter.line(address, [problem]) {
            return stop(
                UnreachableReport(
                    headline: "no case can be judged", reason: line, suite: Self.suite,
                    consequence: "no case was run", seconds: seconds()))
        }
        if let problem = probe.problem, Self.notAMilter(problem) {
            return stop(
                UnreachableReport(
                    headline: "no case can be judged",
                    reason: "the target does not speak the milter protocol (\(problem))", suite: Self.suite,
                    consequence: "no case was run", seconds: seconds()))
        }
        let asked = Self.describe(probe.asked, problem: probe.problem)
        let context = CaseContext(profile: configuration.profile, asked: probe.asked)
        // The cases that ended, for the reports of a run that a signal cut (RunInterruption).
        let ended = NIOLockedValueBox([ConformanceResult]())
        let interruption = RunInterruption.shared
        interruption.cut = { [self] signal in
            let results = ended.withLockedValue { $0 }
            let cut = Interrupted(signal: signal, notStarted: cases.count - results.count - 1, cut: 1)
            _ = finish(results, asked: asked, interrupted: cut)
        }
        defer { interruption.cut = nil }
        for testCase in cases {
            // SIGINT or SIGTERM: no case starts from then on.
            if interruption.signal != nil { break }
            let result = await suite.run(testCase, context: context)
            // A failure shows at once on standard error, for a long run; the table comes at the end.
            if !json, case .fail(let reason) = result.status {
                FileDescriptorWriter.standardError("fail \(result.id): \(reason)\n")
            }
            ended.withLockedValue { $0.append(result) }
        }
        if !interruption.workEnded() { await interruption.parkUntilExit() }
        let results = ended.withLockedValue { $0 }
        let interrupted = interruption.signal.map { Interrupted(signal: $0, notStarted: cases.count - results.count) }
        return finish(results, asked: asked, interrupted: interrupted)
    }

    /// Prints the report of `results`, writes the JUnit and HTML reports; returns the exit status.
    private func finish(_ results: [ConformanceResult], asked: String, interrupted: Interrupted?) -> Int32 {
        FileDescriptorWriter.standardOutput(
            json
                ? ConformanceJSON.document(results, asked: asked, interrupted: interrupted)
                : ConformanceTable.text(results, asked: asked, interrupted: interrupted))
        if let interrupted {
            FileDescriptorWriter.standardError("milter-replay: \(ConformanceTable.line(interrupted))\n")
        }
        let xml = ConformanceJUnit.document(results, interrupted: interrupted)
        if let junit, let failure = OutputPath.write(xml, to: junit, option: "--junit") {
            FileDescriptorWriter.standardError("milter-replay: \(failure)\n")
            return ExitCodes.usage
        }
        if let report {
            let document = ConformanceHTMLReport.document(
                results, asked: asked, context: .current(), interrupted: interrupted)
            if let failure = OutputPath.write(document.render(), to: report, option: "--report") {
                FileDescriptorWriter.standardError("milter-replay: \(failure)\n")
                return ExitCodes.usage
            }
        }
        if let interrupted { return interrupted.exitStatus }
        return results.contains(where: \.failsRun) ? ExitCodes.mismatch : ExitCodes.success
    }

    /// Writes the reports asked for (`--json`, `--junit`, `--report`) of a run whose milter did not start
    /// (`--start` failed, `reason` said on standard error already), as for a milter that cannot be reached.
    package func reportNotStarted(_ reason: String) {
        let report = UnreachableReport(
            headline: UnreachableReport.notStarted, reason: reason, suite: Self.suite, consequence: "no case was run",
            seconds: 0)
        _ = stop(report, says: false)
    }

    /// Prints the report and writes the reports asked for (`--json`, `--junit`, `--report`) of a run that `signal`
    /// ended while the `--start` milter was starting: marked interrupted, no case run, all of `cases` not started.
    package func reportInterruptedBeforeRun(_ signal: Int32, cases: [ConformanceCase]) {
        _ = finish(
            [], asked: "nothing: interrupted while the milter was starting",
            interrupted: Interrupted(signal: signal, notStarted: cases.count))
    }

    /// How the reports of a run that judged no case name it.
    static let suite = "milter-replay conformance"

    /// Stops a run no case of which can be judged: says why on standard error, prints the JSON document with
    /// `unreachable` (with `--json`), and writes the JUnit and HTML reports asked for, which say so; returns 3.
    private func stop(_ unreachable: UnreachableReport, says: Bool = true) -> Int32 {
        let words =
            unreachable.headline == "no case can be judged"
            ? "\(unreachable.reason): \(unreachable.headline)" : unreachable.reason
        if says { FileDescriptorWriter.standardError("milter-replay: \(words)\n") }
        if json { FileDescriptorWriter.standardOutput(ConformanceJSON.unreachable(unreachable)) }
        if let failure = unreachable.write(junit: junit, report: report, ownerOnly: false) {
            FileDescriptorWriter.standardError("milter-replay: \(failure)\n")
        }
        return ExitCodes.connectFailed
    }

    /// Whether the probe's answer to OPTNEG was no milter frame at all: the very first bytes read give a length of
    /// 0 or one over every limit (`220 ` reads as 842149920), which no milter, however broken otherwise, sends.
    static func notAMilter(_ problem: Finding) -> Bool {
        guard problem.step == .optionNegotiation, let error = problem.protocolError, error.streamOffset == 0 else {
            return false
        }
        return error.code == .frameTooLarge || error.code == .zeroLengthFrame
    }

    static func describe(_ options: NegotiatedOptions, problem: Finding?) -> String {
        if let problem { return "nothing: the negotiation failed (\(problem))" }
        return "version \(options.version), actions \(options.actions), protocol \(options.protocolFlags)"
    }
}
