import MilterProtocol

/// The macros of one message, by stage, merged with the later stage winning.
///
/// Stages are kept in the order the MTA sends them: CONNECT, HELO, MAIL, RCPT, DATA, the
/// header and EOH stages, BODY and end of message. A lookup searches from the latest stage back,
/// so `i` (the queue id) comes from the newest stage that sent it. Names are stored without braces:
/// `{daemon_name}` is looked up as `daemon_name`, and braces in the query are ignored too.
public struct MacroTable: Hashable, Sendable {
    /// The macros of each stage, keyed by the command byte of the stage (`C`, `H`, `M`, …).
    public private(set) var stages: [UInt8: [String: String]] = [:]

    /// Creates an empty table.
    public init() {}

    /// The stage order for lookups; unknown stages rank just before end of message.
    static let order: [UInt8] = Array("CHMRTLNBUE".utf8)

    /// The value of a macro, searching from the latest stage back.
    public subscript(name: String) -> String? {
        let key = Self.normalize(name)
        for stage in Self.rankedStages(stages.keys).reversed() {
            if let value = stages[stage]?[key] { return value }
        }
        return nil
    }

    /// Every macro, merged: a later stage overrides an earlier one.
    public var merged: [String: String] {
        var result: [String: String] = [:]
        for stage in Self.rankedStages(stages.keys) {
            result.merge(stages[stage] ?? [:]) { _, new in new }
        }
        return result
    }

    /// The macros of one stage.
    public func stage(_ command: MilterCommand.ID) -> [String: String] { stages[command.rawValue] ?? [:] }

    /// Replaces one stage's macros.
    mutating func set(stage: UInt8, _ values: [String: String]) { stages[stage] = values }

    /// Removes the stages not in `keep`.
    mutating func keepOnly(_ keep: Set<UInt8>) { stages = stages.filter { keep.contains($0.key) } }

    /// Converts a MACRO payload's pairs, braces stripped; a later duplicate wins.
    static func values(of definition: MacroDefinition) -> [String: String] {
        var values: [String: String] = [:]
        values.reserveCapacity(definition.macros.count)
        for macro in definition.macros { values[normalize(macro.name)] = macro.value.string }
        return values
    }

    /// The string normalisation below, on the bytes: a name that does not start with `{` and end with
    /// `}` cannot have those characters at its ends, and in an ASCII name every byte is a character,
    /// so only other names are compared as characters.
    static func normalize(_ name: MilterString) -> String {
        let bytes = name.bytes
        guard bytes.first == UInt8(ascii: "{"), bytes.last == UInt8(ascii: "}"), bytes.count >= 2 else {
            return name.string
        }
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return normalize(name.string) }
        return String(decoding: bytes[1..<bytes.count - 1], as: UTF8.self)
    }

    static func normalize(_ name: String) -> String {
        guard name.hasPrefix("{"), name.hasSuffix("}"), name.count >= 2 else { return name }
        return String(name.dropFirst().dropLast())
    }

    private static func rankedStages(_ keys: some Collection<UInt8>) -> [UInt8] {
        keys.sorted { rank($0) < rank($1) }
    }

    private static func rank(_ stage: UInt8) -> Int {
        order.firstIndex(of: stage).map { $0 * 2 } ?? (order.count - 1) * 2 - 1
    }
}
