/// The warnings for replies Postfix takes though the protocol does not allow them (`src/milter/milter8.c`).
extension MTASession {
    /// What Postfix does after SKIP at `step`. `milter8_event` answers the event with the milter's default
    /// reply (CONTINUE), sets `skip_event_type`, and answers the following events of that type the same
    /// way without sending them or their macros, until it is called for an event of another type.
    static func postfixSkipConsequence(at step: MilterCommand.ID) -> String {
        switch step {
        case .body: "Postfix sends no more body chunks"
        case .endOfMessage: "Postfix takes it as CONTINUE, which accepts the message"
        default: "Postfix takes it as CONTINUE, and sends no \(step) until an event of another type goes"
        }
    }
}
