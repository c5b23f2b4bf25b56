import MilterProtocol

extension MTAConnectionStateMachine {
    /// The MACRO packet before a command, following Postfix: none for events outside the agreed
    /// version or left out after SKIP (`milter8_event` checks `skip_event_type` before it sends them);
    /// none for content events the milter switched off (Postfix does not even call back for them);
    /// otherwise sent even when the event itself is skipped (pitfall 4).
    mutating func macroPacket(for id: MilterCommand.ID, event: MacroEvent) -> MacroPacket? {
        guard sendsMacros(before: id) else { return nil }
        if (id == .header || id == .body) && !configuration.profile.sendsMacrosBeforeContent { return nil }
        if let packet = macroPackets[id] { return packet }
        let planned: [MacroPlan.PlannedMacro]?
        if let known = plannedMacros[event] {
            planned = known
        } else {
            planned = macros.planned(for: event)
            plannedMacros[event] = planned
        }
        let values = context.values
        let packet = planned.map { MacroPacket(MacroPlan.definition(stage: id, planned: $0, values: values)) }
        macroPackets[id] = packet
        return packet
    }

    /// Whether the negotiation lets a MACRO packet go before `id`, whatever the profile's habits.
    mutating func sendsMacros(before id: MilterCommand.ID) -> Bool {
        guard let options = session.options else { return false }
        if (id == .data && !options.version.hasData) || (id == .unknown && !options.version.hasUnknown) {
            return false
        }
        if session.skips(id) { return false }
        return !([.header, .endOfHeaders, .body].contains(id) && !options.sends(id))
    }
}
