import MilterClient

/// Checks `result:`: the message as the MTA would queue it after the modifications.
struct ResultChecker {
    let step: ExpectationChecker

    func checks(_ wanted: ResultExpectation, _ result: TransactionResult) -> [ScenarioCheck] {
        guard let message = result.resultingMessage else {
            return [step.check("result", "no message was queued (verdict \(result.verdict.rawValue))")]
        }
        var checks: [ScenarioCheck] = []
        for header in wanted.headersPresent { checks.append(presentCheck(header, message)) }
        for name in wanted.headersAbsent {
            let count = message.headerFields.filter { $0.hasName(name) }.count
            checks.append(step.check("header absent \(name)", count == 0 ? nil : "present (\(count) field(s))"))
        }
        if let body = wanted.body {
            let text = String(decoding: message.body, as: UTF8.self)
            let failure =
                body.matches(text)
                ? nil : "expected \(body), got \(message.body.count) bytes \(step.display.quoted(text))"
            checks.append(step.check("body", failure))
        }
        if let sender = wanted.sender {
            let got = message.sender.unbracketed
            let failure = sender.unbracketed.matches(got) ? nil : "expected \(sender), got \(step.display.quoted(got))"
            checks.append(step.check("sender", failure))
        }
        let recipients = Set(message.recipients.map { $0.unbracketed.lowercased() })
        for address in wanted.recipientsInclude {
            let found = recipients.contains(address.unbracketed.lowercased())
            checks.append(step.check("recipient \(address)", found ? nil : "not among the recipients"))
        }
        for address in wanted.recipientsExclude {
            let found = recipients.contains(address.unbracketed.lowercased())
            checks.append(step.check("recipient \(address) absent", found ? "still among the recipients" : nil))
        }
        return checks
    }

    private func presentCheck(_ header: ResultExpectation.Header, _ message: ResultingMessage) -> ScenarioCheck {
        let subject = "header present \(header.name)"
        let fields = message.headerFields.filter { $0.hasName(header.name) }
        guard !fields.isEmpty else { return step.check(subject, "no \(header.name) field") }
        guard let value = header.value else { return step.check(subject, nil) }
        let values = fields.map { $0.value.droppingLeadingBlanks.trimmingTrailingLineEnd }
        if values.contains(where: value.matches) { return step.check(subject, nil) }
        let got = values.map(step.display.quoted).joined(separator: ", ")
        return step.check(subject, "expected a value \(value), got \(got)")
    }
}

extension String {
    /// The text without trailing CR and LF.
    var trimmingTrailingLineEnd: String {
        var text = Substring(self)
        while text.last == "\r" || text.last == "\n" || text.last == "\r\n" { text = text.dropLast() }
        return String(text)
    }
}
