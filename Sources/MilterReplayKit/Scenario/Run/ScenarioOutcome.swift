import MilterClient
import MilterProtocol

/// One expectation of a scenario, checked: what was expected where, and what came instead.
package struct ScenarioCheck: Hashable, Sendable, CustomStringConvertible {
    /// The step (or `negotiate:`) the expectation belongs to.
    package var location: ScenarioLocation
    /// The step's key: `rcpt`, `eom`, `negotiate`.
    package var step: String
    /// What is checked: `verdict`, `reply code`, `add-header X-Spam`, `protocol`.
    package var subject: String
    /// Why it failed (`expected 550, got 250`), or `nil` when it passed.
    package var failure: String?
    /// For a check on the milter's protocol findings: the commands sent without a reply before the first of those
    /// findings that names any (``Finding/sentWithoutReply``); empty otherwise. In `--json` only: the failure's
    /// text has them already.
    package var sentWithoutReply = Finding.SentWithoutReply()

    package init(location: ScenarioLocation, step: String, subject: String, failure: String? = nil) {
        self.location = location
        self.step = step
        self.subject = subject
        self.failure = failure
    }

    /// Whether it passed.
    package var passed: Bool { failure == nil }

    /// The commands sent without a reply before the first of `findings` that names any, for
    /// ``sentWithoutReply``.
    static func sentWithoutReply(_ findings: [Finding]) -> Finding.SentWithoutReply {
        findings.first { !$0.sentWithoutReply.isEmpty }?.sentWithoutReply ?? Finding.SentWithoutReply()
    }

    /// `FILE:LINE:COLUMN: step: subject: failure`, or `…: subject: ok`.
    package var description: String { "\(location): \(step): \(subject): \(failure ?? "ok")" }
}

/// What came of one scenario.
package struct ScenarioOutcome: Sendable {
    /// How the scenario ended.
    package enum Status: Hashable, Sendable {
        /// Every expectation passed.
        case passed
        /// An expectation failed.
        case failed
        /// A `skip-unless` condition was not met.
        case skipped(String)
        /// The milter could not be reached.
        case unreachable(String)
        /// A file it names could not be read, or the like.
        case error(String)
    }

    /// The scenario's name in reports (its ID, else its file).
    package var name: String
    /// Its metadata.
    package var metadata: ScenarioMetadata
    /// Where it starts.
    package var location: ScenarioLocation
    /// How it ended.
    package var status: Status
    /// Every expectation checked, in order.
    package var checks: [ScenarioCheck]
    /// How long it ran.
    package var duration: Duration
    /// The commands an earlier verdict kept from the milter, in order: the scenario was not played in full.
    package var unexercised: [Unexercised] = []

    /// A command of the scenario that never reached the milter because an earlier verdict (REJECT at CONNECT,
    /// ACCEPT at end of headers, a refused MAIL) ended the session or the transaction, or because the milter's own
    /// NO flag (NOCONNECT, NOUNKNOWN, …) told the MTA not to send it.
    package struct Unexercised: Hashable, Sendable {
        /// The command.
        package var command: ExercisedCommand
        /// `not exercised: the milter's reject at CONNECT ended … before HELO reached the milter`.
        package var reason: String
        /// How many of ``ScenarioOutcome/checks`` came before that command.
        package var checksBefore: Int
        /// Whether it belongs to a step with an `expect`: then the case is about it, whatever `exercises` says.
        package var expected: Bool
        /// The NO flag the milter asked for that switched the command off, when that is why it never went.
        package var flag: MilterProtocolFlags?

        package init(
            command: ExercisedCommand, reason: String, checksBefore: Int, expected: Bool,
            flag: MilterProtocolFlags? = nil
        ) {
            self.command = command
            self.reason = reason
            self.checksBefore = checksBefore
            self.expected = expected
            self.flag = flag
        }
    }

    package init(
        name: String, metadata: ScenarioMetadata, location: ScenarioLocation, status: Status,
        checks: [ScenarioCheck], duration: Duration
    ) {
        self.name = name
        self.metadata = metadata
        self.location = location
        self.status = status
        self.checks = checks
        self.duration = duration
    }

    /// The failed checks.
    package var failures: [ScenarioCheck] { checks.filter { !$0.passed } }

    /// Notes the commands one step could not send; only the first of each command (with and without an `expect`)
    /// is kept, the one a report names.
    mutating func noteKeptBack(_ commands: [KeptBack], expected: Bool) {
        for kept in commands
        where !unexercised.contains(where: { $0.command == kept.command && $0.expected == expected }) {
            unexercised.append(
                Unexercised(
                    command: kept.command, reason: kept.reason, checksBefore: checks.count, expected: expected,
                    flag: kept.flag))
        }
    }

    /// The first command the scenario is about that never reached the milter: one of ``ScenarioMetadata/exercises``
    /// (any command when it names none), or any command of a step with an `expect`. Commands kept back after
    /// what the case is about do not count, nor a command switched off by a NO flag the scenario's `skip-unless`
    /// requires: then the command not going is what the scenario tests (`event.connect-no`); nor, when the case
    /// names `macro`, a command switched off by any NO flag: its MACRO packet, what the case is about, still went.
    var firstUnexercisedSubject: Unexercised? {
        unexercised.first { kept in
            if let flag = kept.flag, metadata.skipUnless.protocolFlags.contains(flag) { return false }
            if kept.flag != nil, !kept.expected, metadata.exercises?.contains(.macro) == true { return false }
            return kept.expected || metadata.exercises?.contains(kept.command) ?? true
        }
    }

    /// Why the scenario was not exercised: a command it is about never reached the milter, and no check failed
    /// before it and the milter broke no protocol rule. `nil` when what it is about reached the milter, or when
    /// it failed on what it did send.
    package var notExercisedReason: String? {
        guard let unexercised = firstUnexercisedSubject else { return nil }
        let failedBefore = checks.prefix(unexercised.checksBefore).contains { !$0.passed }
        let brokeRule = failures.contains { $0.subject == "protocol" }
        return failedBefore || brokeRule ? nil : unexercised.reason
    }

    /// Whether the outcome fails the run: a failed or unreachable `must` case, or any error.
    package var failsRun: Bool {
        switch status {
        case .passed, .skipped: false
        case .failed: metadata.severity == .must
        case .unreachable, .error: true
        }
    }

    /// `pass`, `fail`, `skip`, `error`.
    package var word: String {
        switch status {
        case .passed: "pass"
        case .failed: "fail"
        case .skipped: "skip"
        case .unreachable, .error: "error"
        }
    }
}
