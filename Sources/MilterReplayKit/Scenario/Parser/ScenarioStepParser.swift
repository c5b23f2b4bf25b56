import MailMessage

/// Reads `steps:` lists.
enum ScenarioStepParser {
    /// The step keys, in the order docs/scenarios.md lists them.
    static let keywords = [
        "connect", "helo", "mail", "rcpt", "data", "header", "headers", "eoh", "body", "eom", "abort", "message",
        "unknown", "listen", "quit", "quit-nc", "raw",
    ]

    /// Steps that need no value.
    private static let bareWords: Set<String> = ["connect", "helo", "data", "eoh", "eom", "abort", "quit", "quit-nc"]

    static func steps(_ field: YAMLField) throws(ScenarioParseError) -> [ScenarioStep] {
        guard case .sequence = field.node else { throw field.error("'steps': expected a list of steps") }
        var steps: [ScenarioStep] = []
        for item in try field.list() {
            let step = try self.step(item)
            try checkOrder(step, after: steps.last, at: item)
            steps.append(step)
        }
        guard !steps.isEmpty else { throw field.error("'steps' is empty") }
        return steps
    }

    private static func checkOrder(
        _ step: ScenarioStep, after previous: ScenarioStep?, at item: YAMLField
    ) throws(ScenarioParseError) {
        guard let previous else { return }
        switch previous.action {
        case .quit: throw item.error("nothing may follow 'quit': the connection is closed")
        case .raw:
            switch step.action {
            case .raw, .listen, .quit: return
            default: throw item.error("only 'raw', 'listen' or 'quit' may follow a 'raw' step")
            }
        default: return
        }
    }

    private static func step(_ item: YAMLField) throws(ScenarioParseError) -> ScenarioStep {
        if case .scalar = item.node {
            let word = try item.string()
            guard keywords.contains(word) else {
                throw item.error("unknown step '\(word)'; steps: \(keywords.joined(separator: ", "))")
            }
            guard bareWords.contains(word) else { throw item.error("the '\(word)' step needs a value") }
            return ScenarioStep(action: bareAction(word), location: item.location)
        }
        let fields = try item.mapping(allowed: keywords + ["expect"])
        let named = fields.keys.filter { $0 != "expect" }
        guard named.count == 1, let key = named.first else {
            let found = named.isEmpty ? "none" : named.joined(separator: ", ")
            throw item.error("a step has exactly one of \(keywords.joined(separator: ", ")) (found: \(found))")
        }
        let value = fields[key]!
        let stepField = YAMLField(node: value.node, file: value.file, context: "the '\(key)' step")
        let action = try self.action(key, stepField)
        var expectation: StepExpectation?
        if let expect = fields["expect"] {
            expectation = try ScenarioExpectationParser.expectation(expect, for: action)
        }
        return ScenarioStep(action: action, expectation: expectation, location: item.location)
    }

    private static func action(_ key: String, _ field: YAMLField) throws(ScenarioParseError) -> ScenarioAction {
        switch key {
        case "connect": return .connect(try connect(field))
        case "helo": return .helo(field.isNull ? nil : try field.string())
        case "mail": return .mail(try ScenarioContentParser.envelope(field))
        case "rcpt": return .rcpt(try ScenarioContentParser.envelope(field))
        case "header": return .headers(.inline([try ScenarioContentParser.header(field)]))
        case "headers": return .headers(try ScenarioContentParser.headers(field))
        case "body": return .body(try ScenarioContentParser.body(field))
        case "message": return .message(try ScenarioContentParser.message(field))
        case "unknown": return .unknown(try field.string())
        case "listen": return .listen(seconds: try field.seconds(maximum: 30))
        case "raw": return .raw(try ScenarioContentParser.raw(field))
        default: return try valueless(key, field)
        }
    }

    private static func valueless(_ key: String, _ field: YAMLField) throws(ScenarioParseError) -> ScenarioAction {
        guard field.isNull else { throw field.error("\(field.context) takes no value") }
        return bareAction(key)
    }

    /// The step of a key written without a value.
    private static func bareAction(_ key: String) -> ScenarioAction {
        switch key {
        case "connect": return .connect(ConnectSpec())
        case "helo": return .helo(nil)
        case "data": return .data
        case "eoh": return .endOfHeaders
        case "eom": return .endOfMessage
        case "abort": return .abort
        case "quit": return .quit
        default: return .quitNewConnection
        }
    }

    private static func connect(_ field: YAMLField) throws(ScenarioParseError) -> ConnectSpec {
        guard !field.isNull else { return ConnectSpec() }
        let fields = try field.mapping(allowed: ["family", "address", "port", "hostname"])
        var spec = ConnectSpec()
        if let family = fields["family"] { spec.family = try family.word(ConnectSpec.Family.self) }
        switch spec.family {
        case .inet6: spec.address = "2001:db8::1"
        case .unix: spec.address = "/var/run/smtp-client.sock"
        case .inet, .unknown: break
        }
        if let address = fields["address"] { spec.address = try address.string() }
        if let port = fields["port"] { spec.port = UInt16(try port.integer(in: 0...65_535)) }
        if let hostname = fields["hostname"] { spec.hostname = try hostname.string() }
        return spec
    }
}
