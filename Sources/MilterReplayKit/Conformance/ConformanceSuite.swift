import MilterClient
import MilterProtocol
import NIOCore

/// Runs catalogue cases against one milter: the probe negotiation first, then each case on its own connections.
package struct ConformanceSuite: Sendable {
    package let address: MilterAddress
    package let configuration: MilterClientConfiguration

    package init(address: MilterAddress, configuration: MilterClientConfiguration) {
        self.address = address
        self.configuration = configuration
    }

    /// What the milter asks for when offered everything; an empty agreement with the finding when it does not
    /// negotiate.
    package func probe() async throws(MilterConnectError) -> (asked: NegotiatedOptions, problem: Finding?) {
        let runner = SessionCaseRunner(address: address, configuration: configuration)
        switch try await runner.negotiate(configuration.profile.offer(version: .v6)) {
        case .success(let options): return (options, nil)
        case .failure(let finding):
            return (NegotiatedOptions(version: .v6, actions: [], protocolFlags: [], symbolLists: []), finding)
        }
    }

    /// Runs one case; a milter that cannot be reached any more fails the case.
    package func run(_ testCase: ConformanceCase, context: CaseContext) async -> ConformanceResult {
        let start = ContinuousClock.now
        var played = Played(status: .pass)
        if let reason = ProbeConditions.skipReason(testCase.id, context) {
            played.status = .skip(reason)
        } else {
            do {
                played = try await play(testCase.kind, context: context)
            } catch {
                played.status = .fail(error.description)
            }
        }
        let elapsed = start.duration(to: .now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        var result = ConformanceResult(testCase, status: played.status, seconds: seconds)
        if case .fail = played.status { result.sentWithoutReply = played.sentWithoutReply }
        return result
    }

    /// What playing a case gave: its status, and the commands sent without a reply that its failure names.
    struct Played {
        var status: ConformanceResult.Status
        var sentWithoutReply = Finding.SentWithoutReply()
    }

    private func play(
        _ kind: ConformanceCase.Kind, context: CaseContext
    ) async throws(MilterConnectError) -> Played {
        switch kind {
        case .scenario(var scenario):
            if context.profile.family == .sendmail,
                scenario.sessions.contains(where: { $0.steps.contains(where: \.isXClient) })
            {
                return Played(status: .skip("XCLIENT is Postfix's command: Sendmail has none"))
            }
            scenario.profile = context.profile
            let options = ScenarioRunOptions(
                rawWait: Self.wait(ScenarioRunOptions().rawWait, under: configuration.timeouts),
                timeouts: configuration.timeouts)
            let outcome = await ScenarioRunner.run(scenario, target: address, options: options)
            let firstFailure = outcome.checks.first { !$0.passed }
            return Played(
                status: Self.status(outcome), sentWithoutReply: firstFailure?.sentWithoutReply ?? .init())
        case .builtIn(.closeWithoutQuit):
            return try await SessionCaseRunner(address: address, configuration: configuration).closeWithoutQuit()
        case .builtIn(.bytesBeforeNegotiation(let bytes)):
            return Played(status: try await RawCaseRunner(address: address, configuration: configuration).run(bytes))
        }
    }

    /// How long to wait for a milter to close or answer after bytes it must refuse: `wait`, or the reply timeout
    /// of `--timeout` when that is shorter (a milter that neither closes nor answers then costs no more than a
    /// silent reply does).
    static func wait(_ wait: TimeAmount, under timeouts: MilterTimeouts?) -> TimeAmount {
        guard let timeouts else { return wait }
        return min(wait, timeouts.command)
    }

    /// A case a command of whose subject (its `exercises`, every command when it names none) did not reach the
    /// milter, because an earlier verdict ended the session or the transaction or because the milter asked for its
    /// NO flag (unless the case requires that flag), is not exercised, whatever its
    /// checks said, unless it failed on what did reach the milter or the milter broke a protocol rule. Commands
    /// the verdict cut short after the subject do not count: the case ran on what it is about.
    package static func status(_ outcome: ScenarioOutcome) -> ConformanceResult.Status {
        if outcome.status == .passed || outcome.status == .failed, let reason = outcome.notExercisedReason {
            return .notExercised(reason)
        }
        switch outcome.status {
        case .passed: return .pass
        case .skipped(let reason): return .skip(reason)
        case .unreachable(let reason), .error(let reason): return .fail(reason)
        case .failed:
            let failures = outcome.checks.filter { !$0.passed }
            guard let first = failures.first else { return .fail("failed") }
            let more = failures.count > 1 ? " (and \(failures.count - 1) more)" : ""
            return .fail("\(first)\(more)")
        }
    }
}
