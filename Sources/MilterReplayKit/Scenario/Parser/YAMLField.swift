import Yams

/// A YAML node with its file, read into the scenario model with errors at its place.
struct YAMLField {
    let node: Node
    let file: String
    /// What the node is, for error messages: `the 'rcpt' step`, `'expect'`.
    let context: String

    var location: ScenarioLocation {
        ScenarioLocation(file: file, line: node.mark?.line ?? 0, column: node.mark?.column ?? 0)
    }

    func error(_ message: String) -> ScenarioParseError { ScenarioParseError(location, message) }

    /// Whether the node is empty: `~`, `null`, or nothing after the colon.
    var isNull: Bool {
        guard case .scalar(let scalar) = node else { return false }
        return scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// A child node under the same file.
    func child(_ node: Node, _ context: String) -> YAMLField { YAMLField(node: node, file: file, context: context) }

    /// The node as text: any scalar, numbers and booleans as written.
    func string() throws(ScenarioParseError) -> String {
        guard case .scalar(let scalar) = node, !isNull else { throw error("\(context): expected a text") }
        return scalar.string
    }

    /// The node as a whole number within `range`, decimal or `0x` hex.
    func integer(in range: ClosedRange<Int>) throws(ScenarioParseError) -> Int {
        guard case .scalar(let scalar) = node, let value = Self.integer(scalar.string) else {
            throw error("\(context): expected a whole number")
        }
        guard range.contains(value) else {
            throw error("\(context): \(value) is out of range \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    /// The node as a number of seconds, at most `maximum`.
    func seconds(maximum: Double) throws(ScenarioParseError) -> Double {
        guard case .scalar(let scalar) = node, let value = Double(scalar.string), value >= 0, value <= maximum else {
            throw error("\(context): expected a number of seconds from 0 to \(Int(maximum))")
        }
        return value
    }

    /// The node as `true` or `false`.
    func boolean() throws(ScenarioParseError) -> Bool {
        guard case .scalar(let scalar) = node else { throw error("\(context): expected true or false") }
        switch scalar.string.lowercased() {
        case "true", "yes": return true
        case "false", "no": return false
        default: throw error("\(context): expected true or false, got '\(scalar.string)'")
        }
    }

    /// The node as one of `words`, case-insensitive; the error lists them.
    func word<T: RawRepresentable<String> & CaseIterable>(_ type: T.Type) throws(ScenarioParseError) -> T {
        let text = try string()
        if let value = T(rawValue: text.lowercased()) { return value }
        let words = T.allCases.map(\.rawValue).joined(separator: ", ")
        throw error("\(context): unknown value '\(text)'; use one of: \(words)")
    }

    /// The items of a sequence; a single scalar counts as a list of one.
    func list() throws(ScenarioParseError) -> [YAMLField] {
        switch node {
        case .sequence(let sequence): return sequence.map { child($0, context) }
        case .scalar where !isNull: return [self]
        default: throw error("\(context): expected a list")
        }
    }

    /// The items of a sequence, each a text.
    func strings() throws(ScenarioParseError) -> [String] {
        var result: [String] = []
        for item in try list() { result.append(try item.string()) }
        return result
    }

    /// The node as a mapping whose keys are all among `allowed`; the error for another key lists them.
    func mapping(allowed: [String]) throws(ScenarioParseError) -> YAMLMapping {
        guard case .mapping(let mapping) = node else { throw error("\(context): expected a mapping") }
        var fields: [(key: String, value: YAMLField)] = []
        for (keyNode, valueNode) in mapping {
            let key = child(keyNode, context)
            guard case .scalar(let scalar) = keyNode else { throw key.error("\(context): a key must be a text") }
            guard allowed.contains(scalar.string) else {
                throw key.error(
                    "\(context): unknown key '\(scalar.string)'; allowed: \(allowed.joined(separator: ", "))")
            }
            fields.append((scalar.string, child(valueNode, "'\(scalar.string)'")))
        }
        return YAMLMapping(owner: self, fields: fields)
    }

    private static func integer(_ text: String) -> Int? {
        let lowered = text.lowercased().filter { $0 != "_" }
        if lowered.hasPrefix("0x") { return Int(lowered.dropFirst(2), radix: 16) }
        return Int(lowered)
    }
}

/// A mapping's fields, by key, in file order.
struct YAMLMapping {
    let owner: YAMLField
    let fields: [(key: String, value: YAMLField)]

    subscript(_ key: String) -> YAMLField? { fields.first { $0.key == key }?.value }

    /// The field, or an error naming it as missing.
    func required(_ key: String) throws(ScenarioParseError) -> YAMLField {
        guard let field = self[key] else { throw owner.error("\(owner.context): '\(key)' is missing") }
        return field
    }

    /// Keys given.
    var keys: [String] { fields.map(\.key) }
}
