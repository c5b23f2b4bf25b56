import MilterProtocol

/// The macros of one message, by stage, merged with the later stage winning.
///
/// Stages are kept in the order the MTA sends them: CONNECT, HELO, MAIL, RCPT, DATA, the
/// header and EOH stages, BODY and end of message. A lookup searches from the latest stage back,
/// so `i` (the queue id) comes from the newest stage that sent it. Names are stored without braces:
/// `{daemon_name}` is looked up as `daemon_name`, and braces in the query are ignored too.
public struct MacroTable: Hashable, Sendable {
    /// The macros of each stage in the order of ``order``: the session sets a stage on every MACRO
    /// packet and a lookup walks the stages from the latest back, without hashing the stage byte or
    /// sorting the stages. `nil`: the stage sent nothing.
    private var slots: [MacroValues?] = Array(repeating: nil, count: Self.order.count)

    /// The macros of each stage, keyed by the command byte of the stage (`C`, `H`, `M`, …).
    public var stages: [UInt8: [String: String]] {
        var result: [UInt8: [String: String]] = [:]
        for (index, values) in slots.enumerated() { if let values { result[Self.order[index]] = values.dictionary } }
        return result
    }

    /// Creates an empty table.
    public init() {}

    /// The stages, in the order the MTA sends them; a MACRO packet for another stage is refused.
    static let order: [UInt8] = Array("CHMRTLNBUE".utf8)

    /// The place of `stage` in ``order`` (ten bytes scanned, no hashing), or `nil` for another byte.
    static func slot(of stage: UInt8) -> Int? { order.firstIndex(of: stage) }

    /// The value of a macro, searching from the latest stage back.
    public subscript(name: String) -> String? {
        let key = Self.normalize(name)
        for values in slots.reversed() {
            if let value = values?[key] { return value }
        }
        return nil
    }

    /// Every macro, merged: a later stage overrides an earlier one.
    public var merged: [String: String] {
        var result: [String: String] = [:]
        for values in slots {
            if let values { result.merge(values.dictionary) { _, new in new } }
        }
        return result
    }

    /// The macros of one stage.
    public func stage(_ command: MilterCommand.ID) -> [String: String] { stageValues(command).dictionary }

    /// The macros of one stage, without building a dictionary.
    func stageValues(_ command: MilterCommand.ID) -> MacroValues {
        Self.slot(of: command.rawValue).flatMap { slots[$0] } ?? MacroValues()
    }

    /// Replaces one stage's macros; a byte that is not a stage of ``order`` is ignored (the session
    /// refuses MACRO packets for other stages before they get here).
    mutating func set(stage: UInt8, _ values: MacroValues) {
        guard let index = Self.slot(of: stage) else { return }
        slots[index] = values
    }

    /// Replaces the macros of the stage at `slot` (``slot(of:)``).
    mutating func set(slot: Int, _ values: MacroValues) { slots[slot] = values }

    /// Removes the macros of the transaction's stages: all but CONNECT and HELO, the first two of ``order``.
    ///
    /// The table is made anew with the two kept, not cleared in place: at end of message the completed message
    /// shares its storage, and clearing copied every stage (a retain each) only to let eight of them go. A table
    /// whose transaction stages are empty already (the ABORT after end of message) is left as it is.
    mutating func removeTransactionStages() {
        guard slots[2...].contains(where: { $0 != nil }) else { return }
        var kept: [MacroValues?] = []
        kept.reserveCapacity(Self.order.count)
        kept.append(slots[0])
        kept.append(slots[1])
        kept.append(contentsOf: repeatElement(nil, count: Self.order.count - 2))
        slots = kept
    }

    /// Removes the macros of every stage, in place where no copy shares the table (a new table allocates its stages).
    mutating func removeAll() {
        for index in slots.indices where slots[index] != nil { slots[index] = nil }
    }

    /// The string normalisation below, on the bytes: a name that does not start with `{` and end with
    /// `}` cannot have those characters at its ends, and in an ASCII name every byte is a character,
    /// so only other names are compared as characters. A name MACRO packets commonly hold is taken stripped
    /// already (``KnownMacroNames/stripped(_:)``), not stripped again.
    static func normalize(_ name: MilterString) -> String {
        if let known = KnownMacroNames.stripped(name) { return known }
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
}
