import MilterProtocol

extension ScenarioParser {
    static func negotiation(_ field: YAMLField) throws(ScenarioParseError) -> NegotiationSpec {
        let fields = try field.mapping(allowed: ["version", "actions", "protocol", "expect"])
        var spec = NegotiationSpec(location: field.location)
        if let version = fields["version"] { spec.version = try self.version(version) }
        if let actions = fields["actions"] { spec.actions = try ScenarioFlags.actions(actions) }
        if let flags = fields["protocol"] { spec.protocolFlags = try ScenarioFlags.protocolFlags(flags) }
        if let expect = fields["expect"] { spec.expectation = try negotiationExpectation(expect) }
        return spec
    }

    private static func version(_ field: YAMLField) throws(ScenarioParseError) -> MilterVersion {
        MilterVersion(rawValue: UInt32(try field.integer(in: 0...Int(UInt32.max))))
    }

    private static let expectationKeys = [
        "version", "actions-include", "actions-exclude", "protocol-include", "protocol-exclude", "symbol-lists",
        "refused",
    ]

    private static func negotiationExpectation(
        _ field: YAMLField
    ) throws(ScenarioParseError)
        -> NegotiationExpectation
    {
        let fields = try field.mapping(allowed: expectationKeys)
        var expectation = NegotiationExpectation(location: field.location)
        if let version = fields["version"] { expectation.version = try self.version(version) }
        if let value = fields["actions-include"] { expectation.actionsInclude = try ScenarioFlags.actions(value) }
        if let value = fields["actions-exclude"] { expectation.actionsExclude = try ScenarioFlags.actions(value) }
        if let value = fields["protocol-include"] {
            expectation.protocolInclude = try ScenarioFlags.protocolFlags(value)
        }
        if let value = fields["protocol-exclude"] {
            expectation.protocolExclude = try ScenarioFlags.protocolFlags(value)
        }
        if let lists = fields["symbol-lists"] { expectation.symbolLists = try symbolLists(lists) }
        if let refused = fields["refused"] { expectation.refused = try refused.boolean() }
        return expectation
    }

    /// The stage names of `symbol-lists`, as `macros:` names the events.
    static let symbolListStages: [(String, MacroStage)] = [
        ("connect", .connect), ("helo", .helo), ("mail", .mail), ("rcpt", .recipient), ("data", .data),
        ("eoh", .endOfHeaders), ("eom", .endOfMessage),
    ]

    private static func symbolLists(_ field: YAMLField) throws(ScenarioParseError) -> [MacroStage: [String]] {
        let fields = try field.mapping(allowed: symbolListStages.map(\.0))
        var result: [MacroStage: [String]] = [:]
        for (key, value) in fields.fields {
            let stage = symbolListStages.first { $0.0 == key }!.1
            if case .scalar = value.node {
                result[stage] = value.isNull ? [] : try value.string().split(separator: " ").map(String.init)
            } else {
                result[stage] = try value.strings()
            }
        }
        return result
    }
}
