import MilterProtocol

/// The MACRO packet worked out for each command, `nil` inside when the command gets none: a
/// table indexed by the command's byte rather than a dictionary, so that a step looks its packet
/// up without hashing.
struct MacroPackets {
    /// One entry per command byte, `nil` until worked out.
    private var packets: [MacroDefinition??] = []

    /// The packet for `id`, if worked out: `.some(nil)` when it has none.
    subscript(_ id: MilterCommand.ID) -> MacroDefinition?? {
        get {
            let index = Int(id.rawValue)
            return index < packets.count ? packets[index] : nil
        }
        set {
            let index = Int(id.rawValue)
            if index >= packets.count { packets += Array(repeating: nil, count: index + 1 - packets.count) }
            packets[index] = newValue
        }
    }

    /// Forgets every packet, keeping the table's storage.
    mutating func removeAll() {
        for index in packets.indices { packets[index] = nil }
    }
}
