/// Reads `expect:` under a step.
enum ScenarioExpectationParser {
    private static let keys = [
        "verdict", "at", "reply", "modifications", "no-other-modifications", "quarantine", "result", "finding",
        "closes",
    ]

    /// The verdicts of a transaction (`eom`, `abort`, `message`).
    static let transactionVerdicts: [ExpectedVerdict] = [.accept, .reject, .tempfail, .discard, .quarantine]
    /// The verdicts of one step's reply.
    static let stepVerdicts: [ExpectedVerdict] = [.continue, .accept, .reject, .tempfail, .discard, .skip, .none]

    static func expectation(
        _ field: YAMLField, for action: ScenarioAction
    ) throws(ScenarioParseError)
        -> StepExpectation
    {
        let fields = try field.mapping(allowed: keys)
        var expectation = StepExpectation(location: field.location)
        if let verdict = fields["verdict"] { expectation.verdict = try self.verdict(verdict, for: action) }
        if let at = fields["at"] {
            guard action.endsTransaction else {
                throw at.error("'at' belongs on 'eom', 'abort' or 'message', not on '\(action.keyword)'")
            }
            expectation.verdictStep = try at.word(VerdictStep.self)
        }
        if let reply = fields["reply"] { expectation.reply = try self.reply(reply) }
        if let list = fields["modifications"] {
            for item in try list.list() { expectation.modifications.append(try ModificationParser.modification(item)) }
        }
        if let only = fields["no-other-modifications"] { expectation.noOtherModifications = try only.boolean() }
        if let quarantine = fields["quarantine"] { expectation.quarantine = try textMatch(quarantine) }
        if let result = fields["result"] { expectation.result = try self.result(result) }
        if let finding = fields["finding"] { expectation.finding = try self.finding(finding) }
        if let closes = fields["closes"] {
            guard case .raw = action else { throw closes.error("'closes' belongs on a 'raw' step") }
            expectation.closes = try closes.boolean()
        }
        try checkTransactionKeys(fields, for: action)
        return expectation
    }

    /// Modifications, quarantine and the result exist only where a transaction ends.
    private static func checkTransactionKeys(
        _ fields: YAMLMapping, for action: ScenarioAction
    )
        throws(ScenarioParseError)
    {
        guard !action.endsTransaction else { return }
        for key in ["modifications", "no-other-modifications", "quarantine", "result"] {
            if let field = fields[key] {
                throw field.error("'\(key)' belongs on 'eom', 'abort' or 'message', where a transaction ends")
            }
        }
    }

    private static func verdict(
        _ field: YAMLField, for action: ScenarioAction
    ) throws(ScenarioParseError)
        -> ExpectedVerdict
    {
        let text = try field.string()
        let allowed = action.endsTransaction ? transactionVerdicts : stepVerdicts
        guard let verdict = ExpectedVerdict(rawValue: text.lowercased()), allowed.contains(verdict) else {
            let kind = action.endsTransaction ? "a transaction's" : "a '\(action.keyword)' step's"
            let words = allowed.map(\.rawValue).joined(separator: ", ")
            throw field.error("unknown verdict '\(text)' for \(kind) verdict; valid verdicts: \(words)")
        }
        return verdict
    }

    private static func reply(_ field: YAMLField) throws(ScenarioParseError) -> ReplyExpectation {
        let fields = try field.mapping(allowed: ["code", "enhanced", "text"])
        var reply = ReplyExpectation()
        if let code = fields["code"] { reply.code = try code.integer(in: 200...599) }
        if let enhanced = fields["enhanced"] {
            let text = try enhanced.string()
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) else {
                throw enhanced.error("'enhanced': expected a status code such as 5.7.1, got '\(text)'")
            }
            reply.enhancedCode = text
        }
        if let text = fields["text"] { reply.text = try textMatch(text) }
        return reply
    }

    private static func finding(_ field: YAMLField) throws(ScenarioParseError) -> FindingExpectation {
        let text = try field.string()
        switch text {
        case "none": return .none
        case "any": return .any
        default: return .code(text)
        }
    }

    /// A plain text, or `{matches: REGEX}`, `{contains: TEXT}`, `{exact: TEXT}`.
    static func textMatch(_ field: YAMLField) throws(ScenarioParseError) -> TextMatch {
        if case .scalar = field.node { return .exact(field.isNull ? "" : try field.string()) }
        let fields = try field.mapping(allowed: ["exact", "matches", "contains"])
        guard fields.fields.count == 1, let (key, value) = fields.fields.first else {
            throw field.error("\(field.context): give one of 'exact', 'matches' or 'contains'")
        }
        let text = try value.string()
        switch key {
        case "matches":
            do {
                _ = try Regex(text)
            } catch {
                throw value.error("\(field.context): not a valid regular expression: \(error)")
            }
            return .matches(text)
        case "contains": return .contains(text)
        default: return .exact(text)
        }
    }

    private static func result(_ field: YAMLField) throws(ScenarioParseError) -> ResultExpectation {
        let fields = try field.mapping(allowed: [
            "headers-present", "headers-absent", "body", "sender", "recipients-include", "recipients-exclude",
        ])
        var result = ResultExpectation()
        if let present = fields["headers-present"] {
            for item in try present.list() { result.headersPresent.append(try header(item)) }
        }
        result.headersAbsent = try fields["headers-absent"]?.strings() ?? []
        if let body = fields["body"] { result.body = try textMatch(body) }
        if let sender = fields["sender"] { result.sender = try textMatch(sender) }
        result.recipientsInclude = try fields["recipients-include"]?.strings() ?? []
        result.recipientsExclude = try fields["recipients-exclude"]?.strings() ?? []
        return result
    }

    private static func header(_ field: YAMLField) throws(ScenarioParseError) -> ResultExpectation.Header {
        if case .scalar = field.node { return ResultExpectation.Header(name: try field.string()) }
        let fields = try field.mapping(allowed: ["name", "value"])
        let value = try fields["value"].map { field throws(ScenarioParseError) in try textMatch(field) }
        return ResultExpectation.Header(name: try fields.required("name").string(), value: value)
    }
}
