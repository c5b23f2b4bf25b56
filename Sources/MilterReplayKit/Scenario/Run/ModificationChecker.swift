import MilterProtocol

/// Checks `modifications:` and `no-other-modifications:` against the modifications received at end of message.
struct ModificationChecker {
    let step: ExpectationChecker

    func checks(_ expectation: StepExpectation, _ received: [MilterReply]) -> [ScenarioCheck] {
        var unused = Array(received.indices)
        var checks: [ScenarioCheck] = []
        for wanted in expectation.modifications {
            let subject = "\(wanted.keyword) \(Self.subject(wanted))"
            if case .replaceBody(let match) = wanted {
                checks.append(step.check(subject, replaceBodyFailure(match, received, unused: &unused)))
                continue
            }
            if let index = unused.first(where: { Self.matches(wanted, received[$0]) }) {
                unused.removeAll { $0 == index }
                checks.append(step.check(subject, nil))
            } else {
                checks.append(step.check(subject, "expected \(describe(wanted)); got \(got(received))"))
            }
        }
        if expectation.noOtherModifications {
            let others = unused.map { received[$0] }
            let failure = others.isEmpty ? nil : "unexpected: \(others.map(describe).joined(separator: ", "))"
            checks.append(step.check("no other modifications", failure))
        }
        return checks
    }

    private func replaceBodyFailure(_ match: TextMatch, _ received: [MilterReply], unused: inout [Int]) -> String? {
        let chunks = received.indices.filter { if case .replaceBody = received[$0] { true } else { false } }
        guard !chunks.isEmpty else { return "expected REPLBODY \(match); got \(got(received))" }
        unused.removeAll { chunks.contains($0) }
        var body: [UInt8] = []
        for index in chunks { if case .replaceBody(let chunk) = received[index] { body += chunk.readableBytesView } }
        let text = String(decoding: body, as: UTF8.self)
        return match.matches(text) ? nil : "expected REPLBODY \(match); got \(step.display.quoted(text))"
    }

    private func got(_ received: [MilterReply]) -> String {
        received.isEmpty ? "no modification" : received.map(describe).joined(separator: ", ")
    }

    /// A received modification in words, its values redacted unless shown. A header value is shown as it
    /// is compared: without the blanks it starts with (a milter that negotiated HDR_LEADSPC sends the
    /// space after the colon itself).
    private func describe(_ reply: MilterReply) -> String {
        let quoted = step.display.quoted
        func value(_ field: HeaderField) -> String { quoted(field.value.string.droppingLeadingBlanks) }
        switch reply {
        case .addHeader(let field): return "ADDHEADER \(field.name.string) \(value(field))"
        case .insertHeader(let indexed):
            return "INSHEADER[\(indexed.index)] \(indexed.field.name.string) \(value(indexed.field))"
        case .changeHeader(let indexed):
            let verb = indexed.field.value.isEmpty ? "CHGHEADER (delete)" : "CHGHEADER"
            return "\(verb) \(indexed.field.name.string)[\(indexed.index)] \(value(indexed.field))"
        case .addRecipient(let address): return "ADDRCPT \(quoted(address.string))"
        case .addRecipientWithArguments(let change):
            return "ADDRCPT_PAR \(quoted(change.address.string)) \(quoted(change.arguments?.string ?? ""))"
        case .deleteRecipient(let address): return "DELRCPT \(quoted(address.string))"
        case .changeSender(let change):
            return "CHGFROM \(quoted(change.address.string)) \(quoted(change.arguments?.string ?? ""))"
        case .replaceBody(let chunk): return "REPLBODY (\(chunk.readableBytes) bytes)"
        default: return "\(reply.id)"
        }
    }

    /// An expected modification in words (the scenario's own values, in full; a manifest's header value
    /// redacted unless shown, ``ValueDisplay/expected(_:)``).
    private func describe(_ wanted: ModificationExpectation) -> String {
        if case .addHeader(let name, let value) = wanted {
            return "ADDHEADER \(name)\(value.map { " " + step.display.expected($0) } ?? "")"
        }
        return Self.describe(wanted)
    }

    private static func describe(_ wanted: ModificationExpectation) -> String {
        switch wanted {
        case .addHeader(let name, let value): "ADDHEADER \(name)\(value.map { " " + $0.description } ?? "")"
        case .insertHeader(let index, let name, let value):
            "INSHEADER\(index.map { "[\($0)]" } ?? "") \(name)\(value.map { " " + $0.description } ?? "")"
        case .changeHeader(let name, let index, let value):
            "CHGHEADER \(name)\(index.map { "[\($0)]" } ?? "")\(value.map { " " + $0.description } ?? "")"
        case .deleteHeader(let name, let index): "CHGHEADER (delete) \(name)\(index.map { "[\($0)]" } ?? "")"
        case .addRecipient(let address, let arguments):
            "ADDRCPT \(address)\(arguments.map { " with arguments " + $0.description } ?? "")"
        case .deleteRecipient(let address): "DELRCPT \(address)"
        case .changeSender(let address, let arguments):
            "CHGFROM \(address)\(arguments.map { " with arguments " + $0.description } ?? "")"
        case .replaceBody(let match): "REPLBODY \(match)"
        }
    }

    private static func subject(_ wanted: ModificationExpectation) -> String {
        switch wanted {
        case .addHeader(let name, _), .insertHeader(_, let name, _), .changeHeader(let name, _, _),
            .deleteHeader(let name, _):
            name
        case .addRecipient(let address, _), .deleteRecipient(let address), .changeSender(let address, _):
            address.description
        case .replaceBody: "body"
        }
    }

    private static func matches(_ wanted: ModificationExpectation, _ reply: MilterReply) -> Bool {
        switch (wanted, reply) {
        case (.addHeader(let name, let value), .addHeader(let field)):
            return header(field, name: name, value: value)
        case (.insertHeader(let index, let name, let value), .insertHeader(let indexed)):
            return index.map { UInt32($0) == indexed.index } ?? true && header(indexed.field, name: name, value: value)
        case (.changeHeader(let name, let index, let value), .changeHeader(let indexed)):
            return !indexed.field.value.isEmpty && index.map { UInt32($0) == indexed.index } ?? true
                && header(indexed.field, name: name, value: value)
        case (.deleteHeader(let name, let index), .changeHeader(let indexed)):
            return indexed.field.value.isEmpty && index.map { UInt32($0) == indexed.index } ?? true
                && header(indexed.field, name: name, value: nil)
        case (.addRecipient(let address, nil), .addRecipient(let got)):
            return Self.address(address, got)
        case (.addRecipient(let address, let arguments), .addRecipientWithArguments(let change)):
            return Self.address(address, change.address) && Self.arguments(arguments, change.arguments)
        case (.deleteRecipient(let address), .deleteRecipient(let got)):
            return Self.address(address, got)
        case (.changeSender(let address, let arguments), .changeSender(let change)):
            return Self.address(address, change.address) && Self.arguments(arguments, change.arguments)
        default:
            return false
        }
    }

    private static func header(_ field: HeaderField, name: String, value: TextMatch?) -> Bool {
        guard field.name.string.lowercased() == name.lowercased() else { return false }
        return value?.matches(field.value.string.droppingLeadingBlanks) ?? true
    }

    /// Addresses compare without angle brackets.
    static func address(_ wanted: TextMatch, _ got: MilterString) -> Bool {
        wanted.unbracketed.matches(got.string.unbracketed)
    }

    private static func arguments(_ wanted: TextMatch?, _ got: MilterString?) -> Bool {
        guard let wanted else { return true }
        return wanted.matches(got?.string ?? "")
    }
}

extension TextMatch {
    /// An exact address without its angle brackets; patterns as they are.
    var unbracketed: TextMatch {
        if case .exact(let text) = self { return .exact(text.unbracketed) }
        return self
    }
}

extension String {
    /// The text without one pair of enclosing angle brackets.
    var unbracketed: String {
        guard hasPrefix("<"), hasSuffix(">"), count >= 2 else { return self }
        return String(dropFirst().dropLast())
    }
}
