/// The macros of each event with their names resolved (``MacroPlan/planned(for:)``), `nil` inside
/// when the event gets no packet: a table indexed by the event rather than a dictionary, so that
/// a step looks its list up without hashing the event's name.
struct PlannedMacroTable {
    /// One entry per event, `nil` until worked out.
    private var entries = [[MacroPlan.PlannedMacro]??](repeating: nil, count: MacroEvent.allCases.count)

    /// The list for `event`, if worked out: `.some(nil)` when the event gets no packet.
    subscript(_ event: MacroEvent) -> [MacroPlan.PlannedMacro]?? {
        get { entries[event.tableIndex] }
        set { entries[event.tableIndex] = newValue }
    }

    /// Forgets every list, keeping the table's storage.
    mutating func removeAll() {
        for index in entries.indices { entries[index] = nil }
    }
}

extension MacroEvent {
    /// The event's place in a table of all events.
    fileprivate var tableIndex: Int {
        switch self {
        case .connect: 0
        case .helo: 1
        case .mail: 2
        case .rcpt: 3
        case .data: 4
        case .eoh: 5
        case .eom: 6
        case .unknown: 7
        }
    }
}
