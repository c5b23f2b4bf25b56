import MilterProtocol

/// Action and protocol flag names as scenarios write them: `ADDHDRS`, `SMFIF_ADDHDRS`, `0x1FF`, `all`, `none`.
enum ScenarioFlags {
    static func actions(_ field: YAMLField) throws(ScenarioParseError) -> MilterActions {
        MilterActions(
            rawValue: try bits(field, all: MilterActions.all.rawValue, prefix: "SMFIF_") {
                MilterActions(rawValue: $0).description
            })
    }

    static func protocolFlags(_ field: YAMLField) throws(ScenarioParseError) -> MilterProtocolFlags {
        let known = MilterProtocolFlags.all.union(.maximumDataSizeBits).rawValue
        return MilterProtocolFlags(
            rawValue: try bits(field, all: known, prefix: "SMFIP_") { MilterProtocolFlags(rawValue: $0).description })
    }

    /// The bits named by `field`: a list of names, a number, `all` or `none`. `name` gives a bit's name.
    private static func bits(
        _ field: YAMLField, all: UInt32, prefix: String, name: (UInt32) -> String
    ) throws(ScenarioParseError) -> UInt32 {
        var table: [String: UInt32] = [:]
        for shift in 0..<32 where all & (1 << shift) != 0 { table[name(1 << shift)] = 1 << shift }
        if case .scalar = field.node, !field.isNull {
            let text = try field.string()
            switch text.lowercased() {
            case "all": return all
            case "none": return 0
            default: if let number = number(text) { return number }
            }
        }
        var value: UInt32 = 0
        for item in try field.list() {
            let text = try item.string()
            var key = text.uppercased()
            if key.hasPrefix(prefix) { key.removeFirst(prefix.count) }
            if let bit = table[key] {
                value |= bit
            } else if let number = number(text) {
                value |= number
            } else {
                let names = table.sorted { $0.value < $1.value }.map(\.key).joined(separator: " ")
                throw item.error("\(field.context): unknown flag '\(text)'; known: \(names)")
            }
        }
        return value
    }

    private static func number(_ text: String) -> UInt32? {
        let lowered = text.lowercased()
        if lowered.hasPrefix("0x") { return UInt32(lowered.dropFirst(2), radix: 16) }
        return UInt32(lowered)
    }
}
