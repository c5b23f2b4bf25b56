import MilterClient
import MilterProtocol
import NIOCore

/// How scenarios are run.
package struct ScenarioRunOptions: Sendable {
    /// Whether failures show the milter's and the message's values in full rather than shape-redacted.
    package var showsValues: Bool
    /// How long a `raw` step waits for the milter to close or answer; the wait ends at its first move.
    package var rawWait: TimeAmount
    /// The MTA's timeouts; `nil` for the profile's.
    package var timeouts: MilterTimeouts?

    package init(showsValues: Bool = false, rawWait: TimeAmount = .seconds(5), timeouts: MilterTimeouts? = nil) {
        self.showsValues = showsValues
        self.rawWait = rawWait
        self.timeouts = timeouts
    }
}

/// Plays scenarios against a milter and checks every expectation.
package enum ScenarioRunner {
    /// Runs one scenario: its sessions in order, each on a new connection to `target`.
    package static func run(
        _ scenario: Scenario, target: MilterAddress, options: ScenarioRunOptions
    ) async
        -> ScenarioOutcome
    {
        let start = ContinuousClock.now
        var outcome = ScenarioOutcome(
            name: scenario.name, metadata: scenario.metadata, location: scenario.location, status: .passed,
            checks: [], duration: .zero)
        for session in scenario.sessions {
            if let status = await run(session, of: scenario, target: target, options: options, into: &outcome) {
                outcome.status = status
                break
            }
        }
        if outcome.status == .passed, !outcome.failures.isEmpty { outcome.status = .failed }
        outcome.duration = start.duration(to: .now)
        return outcome
    }

    /// Runs one session; returns the scenario's status when the session ends it (skip, unreachable, error).
    private static func run(
        _ session: ScenarioSession, of scenario: Scenario, target: MilterAddress, options: ScenarioRunOptions,
        into outcome: inout ScenarioOutcome
    ) async -> ScenarioOutcome.Status? {
        let configuration = configuration(session, scenario, options)
        let connection: MilterClientConnection
        do {
            connection = try await MilterClientConnection.open(
                to: target, configuration: configuration, client: firstClient(session))
        } catch {
            return .unreachable(error.description)
        }
        let negotiationLocation = session.negotiation.location ?? session.location
        let record = await connection.negotiation
        if let line = NotAMilter.line(target, record.finding.map { [$0] } ?? []) {
            await connection.closeWithoutQuit()
            return .unreachable(line)
        }
        let agreement = await connection.options
        let agreed = agreement != nil && record.finding == nil
        if let wanted = session.negotiation.expectation {
            outcome.checks += NegotiationChecker(location: wanted.location).checks(
                wanted, record: record, agreed: agreed)
        }
        guard let agreement, agreed else {
            if session.negotiation.expectation?.refused != true {
                let why = record.finding.map { "\($0)" } ?? "no agreement"
                outcome.checks.append(
                    ScenarioCheck(
                        location: negotiationLocation, step: "negotiate", subject: "protocol",
                        failure: "the milter refused the offer: \(why)"))
            }
            await connection.closeWithoutQuit()
            return nil
        }
        if let reason = scenario.metadata.skipUnless.skipReason(under: agreement) {
            await connection.quit()
            return .skipped(reason)
        }
        return await runSteps(session, on: connection, options: options, into: &outcome)
    }

    private static func runSteps(
        _ session: ScenarioSession, on first: MilterClientConnection, options: ScenarioRunOptions,
        into outcome: inout ScenarioOutcome
    ) async -> ScenarioOutcome.Status? {
        var driver = SessionDriver(connection: first, rawWait: options.rawWait)
        let display = ValueDisplay(showsValues: options.showsValues)
        for step in session.steps {
            let observation: StepObservation
            do {
                observation = try await driver.run(step.action)
            } catch {
                await driver.connection.closeWithoutQuit()
                return .error("\(step.location): \(error.description)")
            }
            outcome.noteKeptBack(driver.takeKeptBack(), expected: step.expectation != nil)
            outcome.checks += ExpectationChecker(step: step, display: display).checks(observation)
        }
        if case .quit = session.steps.last?.action { return nil }
        let findings = await driver.connection.quit()
        if !findings.isEmpty {
            let location = session.steps.last?.location ?? session.location
            let text = findings.map { "\($0.code) (\($0))" }.joined(separator: "; ")
            var check = ScenarioCheck(
                location: location, step: "quit", subject: "protocol", failure: "the milter broke a rule: \(text)")
            check.sentWithoutReply = ScenarioCheck.sentWithoutReply(findings)
            outcome.checks.append(check)
        }
        return nil
    }

    private static func configuration(
        _ session: ScenarioSession, _ scenario: Scenario, _ options: ScenarioRunOptions
    ) -> MilterClientConfiguration {
        let timeouts = scenario.timeout.map { MilterTimeouts(all: .nanoseconds(Int64($0 * 1e9))) } ?? options.timeouts
        var configuration = MilterClientConfiguration(
            profile: scenario.profile, version: session.negotiation.version, macroOverrides: session.macros,
            timeouts: timeouts)
        configuration.offer = session.negotiation.offer(profile: scenario.profile)
        return configuration
    }

    /// The client of the session's first CONNECT, which the connection reports.
    private static func firstClient(_ session: ScenarioSession) -> SMTPClient {
        for step in session.steps {
            if case .connect(let spec) = step.action { return spec.client }
        }
        return SMTPClient()
    }
}
