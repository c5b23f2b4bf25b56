import MilterClient
import MilterProtocol

/// Checks a step's expectations against what the milter did; one ``ScenarioCheck`` per expectation.
struct ExpectationChecker {
    let step: ScenarioStep
    let display: ValueDisplay
    /// Whether protocol findings are checked (`.eml` replay reports them on its own).
    var checksFindings = true

    /// Every check of the step: its expectations, and the protocol findings (none by default).
    func checks(_ observation: StepObservation) -> [ScenarioCheck] {
        var checks: [ScenarioCheck] = []
        let expectation = step.expectation
        if checksFindings {
            checks += refusalChecks(observation)
            checks += findingChecks(observation.findings, expected: expectation?.finding)
        }
        guard let expectation else { return checks }
        if let verdict = expectation.verdict { checks.append(verdictCheck(verdict, observation)) }
        if let at = expectation.verdictStep, case .transaction(let result) = observation {
            checks.append(atCheck(at, result))
        }
        if let reply = expectation.reply { checks += replyChecks(reply, smtpReply(observation)) }
        if case .transaction(let result) = observation {
            checks += ModificationChecker(step: self).checks(expectation, result.modifications)
            if let quarantine = expectation.quarantine { checks.append(quarantineCheck(quarantine, result)) }
            if let wanted = expectation.result { checks += ResultChecker(step: self).checks(wanted, result) }
        }
        if let closes = expectation.closes, case .raw(let outcome) = observation {
            checks.append(closesCheck(closes, outcome))
        }
        return checks
    }

    func check(_ subject: String, _ failure: String?) -> ScenarioCheck {
        ScenarioCheck(location: step.location, step: step.action.keyword, subject: subject, failure: failure)
    }

    /// Commands the MTA could not send where the scenario put them (RCPT before MAIL): the scenario's mistake.
    private func refusalChecks(_ observation: StepObservation) -> [ScenarioCheck] {
        let records: [StepRecord]
        switch observation {
        case .records(let list): records = list
        case .transaction(let result): records = result.steps
        case .findings, .raw, .notSent: records = []
        }
        return records.compactMap { record in
            record.refusal.map { check("order", "the MTA cannot send \(record.command) here: \($0)") }
        }
    }

    private func findingChecks(_ findings: [Finding], expected: FindingExpectation?) -> [ScenarioCheck] {
        let found = findings.map { "\($0.code) (\($0))" }.joined(separator: "; ")
        var result: ScenarioCheck
        switch expected ?? FindingExpectation.none {
        case .none:
            guard !findings.isEmpty else { return [] }
            result = check("protocol", "the milter broke a rule: \(found)")
        case .any:
            result = check("finding", findings.isEmpty ? "expected a protocol finding, got none" : nil)
        case .code(let code):
            let matched = findings.contains { $0.code == code }
            result = check("finding \(code)", matched ? nil : "expected \(code), got \(found.isEmpty ? "none" : found)")
        }
        result.sentWithoutReply = ScenarioCheck.sentWithoutReply(findings)
        return [result]
    }

    private func verdictCheck(_ wanted: ExpectedVerdict, _ observation: StepObservation) -> ScenarioCheck {
        let got: ExpectedVerdict
        switch observation {
        case .transaction(let result): got = ExpectedVerdict(rawValue: result.verdict.rawValue) ?? .none
        case .records(let records): got = decisive(records).map(Self.verdict) ?? .none
        case .findings, .raw, .notSent: got = .none
        }
        return check("verdict", got == wanted ? nil : "expected \(wanted.rawValue), got \(got.rawValue)")
    }

    private func atCheck(_ wanted: VerdictStep, _ result: TransactionResult) -> ScenarioCheck {
        let step = decisive(result.steps).flatMap { VerdictStep(command: $0.command) }
        guard let step else {
            let why =
                result.steps.allSatisfy { $0.delivery == .notSent } ? " (nothing was sent: an earlier verdict)" : ""
            return check("at", "expected the verdict at \(wanted.rawValue), got none at any step\(why)")
        }
        return check(
            "at", step == wanted ? nil : "expected the verdict at \(wanted.rawValue), got it at \(step.rawValue)")
    }

    private func smtpReply(_ observation: StepObservation) -> String? {
        switch observation {
        case .transaction(let result): result.smtpReply
        case .records(let records): decisive(records)?.smtpReply
        case .findings, .raw, .notSent: nil
        }
    }

    private func replyChecks(_ wanted: ReplyExpectation, _ reply: String?) -> [ScenarioCheck] {
        guard let reply else { return [check("reply", "expected an SMTP reply, got none (the step went on)")] }
        let parts = SMTPReplyParts(reply)
        var checks: [ScenarioCheck] = []
        if let code = wanted.code {
            let got = parts.code.map(String.init) ?? "no code"
            checks.append(check("reply code", parts.code == code ? nil : "expected \(code), got \(got)"))
        }
        if let enhanced = wanted.enhancedCode {
            let got = parts.enhancedCode ?? "none"
            checks.append(check("reply enhanced code", got == enhanced ? nil : "expected \(enhanced), got \(got)"))
        }
        if let text = wanted.text {
            let failure =
                text.matches(parts.text) ? nil : "expected \(display.expected(text)), got \(display.quoted(parts.text))"
            checks.append(check("reply text", failure))
        }
        return checks
    }

    private func quarantineCheck(_ wanted: TextMatch, _ result: TransactionResult) -> ScenarioCheck {
        guard let reason = result.quarantineReason else {
            return check("quarantine", "expected a quarantine reason \(wanted), got no quarantine")
        }
        return check("quarantine", wanted.matches(reason) ? nil : "expected \(wanted), got \(display.quoted(reason))")
    }

    private func closesCheck(_ closes: Bool, _ outcome: RawWriteOutcome) -> ScenarioCheck {
        let closed: Bool
        switch outcome {
        case .closed, .ioError: closed = true
        case .answered, .answeredMalformed, .silent, .overLimit: closed = false
        }
        if closed == closes { return check("closes", nil) }
        return check("closes", closes ? "expected the milter to close without answering; \(outcome)" : "\(outcome)")
    }

    /// The record that decided: the first with a finding or a final reply other than CONTINUE, else the last sent.
    private func decisive(_ records: [StepRecord]) -> StepRecord? {
        records.first { record in
            if record.finding != nil { return true }
            guard let final = record.finalReply else { return false }
            return final != .continue && final != .skip
        } ?? records.last { $0.delivery != .notSent } ?? records.last
    }

    /// A step's verdict, from its final reply.
    static func verdict(_ record: StepRecord) -> ExpectedVerdict {
        // Postfix's early QUARANTINE, and every warning, leave the step to its final reply.
        if let finding = record.finding, finding.severity == .error,
            finding.protocolError?.code != .quarantineBeforeEndOfMessage
        {
            // No SMTP reply: the MTA let the step go on (Sendmail after a reply it has no case for).
            return record.smtpReply == nil && record.delivery == .awaited ? .continue : .tempfail
        }
        guard let final = record.finalReply else { return .none }
        // Sendmail tempfails a message whose REPLBODY it refused, whatever the milter's verdict.
        if let reply = record.smtpReply, final == .continue || final == .accept {
            return reply.hasPrefix("5") ? .reject : .tempfail
        }
        switch final {
        case .continue: return .continue
        case .accept: return .accept
        case .reject: return .reject
        case .tempfail, .shutdown, .connectionFailure: return .tempfail
        case .discard: return .discard
        case .skip: return .skip
        // The MTA's reply: Sendmail puts its own in place of a text it cannot use.
        case .replyCode(let text): return (record.smtpReply ?? text.string).hasPrefix("5") ? .reject : .tempfail
        default: return .none
        }
    }
}

extension VerdictStep {
    /// The step a command is, if it is one a verdict can come at.
    init?(command: MilterCommand.ID) {
        switch command {
        case .connect: self = .connect
        case .helo: self = .helo
        case .mail: self = .mail
        case .recipient: self = .rcpt
        case .data: self = .data
        case .header: self = .header
        case .endOfHeaders: self = .eoh
        case .body: self = .body
        case .endOfMessage: self = .eom
        default: return nil
        }
    }
}
