import MilterProtocol

/// Which macros go with each event: the profile's defaults, replaced by the milter's symbol lists,
/// with the user's overrides applied last.
struct MacroPlan: Sendable {
    var profile: MTAProfile
    var overrides: [MacroEvent: [(name: String, value: String)]]
    var options: NegotiatedOptions?

    /// One macro of an event's packet, its name resolved once: where its value comes from.
    struct PlannedMacro: Sendable {
        /// The name as sent.
        var name: MilterString
        /// The user's value, which wins over the MTA's.
        var override: MilterString?
        /// The MTA's value, if it has one for this name.
        var key: MacroContext.Key?
    }

    /// The macros of an event's packet, in order, or `nil` when the profile sends no packet.
    func planned(for event: MacroEvent) -> [PlannedMacro]? {
        let names = self.names(for: event)
        let extra = overrides[event] ?? []
        if names.isEmpty && extra.isEmpty && !profile.sendsEmptyMacroPackets { return nil }
        var planned = names.map { name in
            PlannedMacro(
                name: MilterString(name),
                override: extra.last(where: { $0.name == name }).map { MilterString($0.value) },
                key: MacroContext.Key(name: name))
        }
        guard !extra.isEmpty else { return planned }
        var added = Set(names)
        for (name, value) in extra where !added.contains(name) {
            added.insert(name)
            planned.append(PlannedMacro(name: MilterString(name), override: MilterString(value), key: nil))
        }
        return planned
    }

    /// The MACRO packet with `values` (``MacroContext/values``); macros without a value are left out.
    static func definition(stage: MilterCommand.ID, planned: [PlannedMacro], values: [MilterString?]) -> MacroDefinition
    {
        var macros: [MacroDefinition.Macro] = []
        macros.reserveCapacity(planned.count)
        for macro in planned {
            guard let value = macro.override ?? macro.key.flatMap({ values[$0.rawValue] }) else { continue }
            macros.append(MacroDefinition.Macro(name: macro.name, value: value))
        }
        return MacroDefinition(stage: stage, macros: macros)
    }

    /// The names for an event: the milter's symbol list if it sent a non-empty one (an empty list
    /// means "the defaults" to Postfix, pitfall 16), else the profile's defaults.
    func names(for event: MacroEvent) -> [String] {
        if let stage = event.symbolListStage, let list = options?.symbolList(for: stage), !list.isEmpty {
            return list
        }
        return profile.defaultMacros[event] ?? []
    }
}
