import MilterClient
import MilterProtocol

/// Checks `negotiate: expect:` against the milter's OPTNEG reply as it was sent.
struct NegotiationChecker {
    let location: ScenarioLocation

    /// The checks, given the OPTNEG record and whether a usable agreement came of it.
    func checks(_ wanted: NegotiationExpectation, record: StepRecord, agreed: Bool) -> [ScenarioCheck] {
        var checks: [ScenarioCheck] = []
        if let refused = wanted.refused {
            let why = record.finding.map { ": \($0)" } ?? ""
            let failure =
                refused == !agreed
                ? nil
                : refused
                    ? "expected the milter to refuse the offer, it accepted" : "the milter refused the offer\(why)"
            checks.append(check("refused", failure))
        }
        guard let answer = Self.answer(record) else {
            if wanted.hasReplyExpectations {
                checks.append(
                    check("reply", "expected an OPTNEG reply, got none\(record.finding.map { ": \($0)" } ?? "")"))
            }
            return checks
        }
        if let version = wanted.version {
            let got = answer.version.rawValue
            checks.append(check("version", got == version.rawValue ? nil : "expected \(version.rawValue), got \(got)"))
        }
        checks += flagChecks(
            "actions", include: wanted.actionsInclude, exclude: wanted.actionsExclude, got: answer.actions)
        checks += flagChecks(
            "protocol", include: wanted.protocolInclude, exclude: wanted.protocolExclude, got: answer.protocolFlags)
        for (stage, names) in wanted.symbolLists.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let got = answer.symbolLists.first { $0.stage == stage }?.names
            let failure =
                got == names
                ? nil
                : "expected '\(names.joined(separator: " "))', got \(got.map { "'\($0.joined(separator: " "))'" } ?? "no list")"
            checks.append(check("symbol list \(stage)", failure))
        }
        return checks
    }

    private func flagChecks<Flags: OptionSet & CustomStringConvertible>(
        _ name: String, include: Flags, exclude: Flags, got: Flags
    ) -> [ScenarioCheck] where Flags.Element == Flags {
        var checks: [ScenarioCheck] = []
        if !include.isEmpty {
            let missing = include.subtracting(got)
            checks.append(
                check("\(name) include \(include)", missing.isEmpty ? nil : "\(missing) not asked for (got \(got))"))
        }
        if !exclude.isEmpty {
            let present = exclude.intersection(got)
            checks.append(
                check("\(name) exclude \(exclude)", present.isEmpty ? nil : "\(present) asked for (got \(got))"))
        }
        return checks
    }

    private func check(_ subject: String, _ failure: String?) -> ScenarioCheck {
        ScenarioCheck(location: location, step: "negotiate", subject: subject, failure: failure)
    }

    /// The milter's OPTNEG reply, if it sent one.
    static func answer(_ record: StepRecord) -> OptionNegotiation? {
        for reply in record.replies { if case .optionNegotiation(let answer) = reply { return answer } }
        return nil
    }
}

extension NegotiationExpectation {
    /// Whether anything but `refused` is expected.
    var hasReplyExpectations: Bool {
        version != nil || !actionsInclude.isEmpty || !actionsExclude.isEmpty || !protocolInclude.isEmpty
            || !protocolExclude.isEmpty || !symbolLists.isEmpty
    }
}
