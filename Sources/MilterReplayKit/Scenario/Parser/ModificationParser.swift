/// Reads the items of `modifications:`.
enum ModificationParser {
    private static let keywords = [
        "add-header", "insert-header", "change-header", "delete-header", "add-recipient", "delete-recipient",
        "change-sender", "replace-body",
    ]

    static func modification(_ item: YAMLField) throws(ScenarioParseError) -> ModificationExpectation {
        let fields = try item.mapping(allowed: keywords)
        guard fields.fields.count == 1, let (key, value) = fields.fields.first else {
            throw item.error("a modification has exactly one of \(keywords.joined(separator: ", "))")
        }
        switch key {
        case "add-header":
            let header = try self.header(value, keys: ["name", "value"])
            return .addHeader(name: header.name, value: header.value)
        case "insert-header":
            let header = try self.header(value, keys: ["index", "name", "value"])
            return .insertHeader(index: header.index, name: header.name, value: header.value)
        case "change-header":
            let header = try self.header(value, keys: ["name", "index", "value"])
            return .changeHeader(name: header.name, index: header.index, value: header.value)
        case "delete-header":
            let header = try self.header(value, keys: ["name", "index"])
            return .deleteHeader(name: header.name, index: header.index)
        case "add-recipient":
            let envelope = try self.envelope(value)
            return .addRecipient(address: envelope.address, arguments: envelope.arguments)
        case "delete-recipient": return .deleteRecipient(address: try ScenarioExpectationParser.textMatch(value))
        case "change-sender":
            let envelope = try self.envelope(value)
            return .changeSender(address: envelope.address, arguments: envelope.arguments)
        default: return .replaceBody(try ScenarioExpectationParser.textMatch(value))
        }
    }

    private static func header(
        _ field: YAMLField, keys: [String]
    ) throws(ScenarioParseError)
        -> (name: String, index: Int?, value: TextMatch?)
    {
        let fields = try field.mapping(allowed: keys)
        let name = try fields.required("name").string()
        let index = try fields["index"].map { field throws(ScenarioParseError) in
            try field.integer(in: 0...Int(Int32.max))
        }
        let value = try fields["value"].map { field throws(ScenarioParseError) in
            try ScenarioExpectationParser.textMatch(field)
        }
        return (name, index, value)
    }

    private static func envelope(
        _ field: YAMLField
    ) throws(ScenarioParseError)
        -> (address: TextMatch, arguments: TextMatch?)
    {
        if case .scalar = field.node { return (try ScenarioExpectationParser.textMatch(field), nil) }
        let fields = try field.mapping(allowed: ["address", "args"])
        let address = try ScenarioExpectationParser.textMatch(try fields.required("address"))
        let arguments = try fields["args"].map { field throws(ScenarioParseError) in
            try ScenarioExpectationParser.textMatch(field)
        }
        return (address, arguments)
    }
}
