import MilterProtocol

extension MTAConnectionStateMachine {
    /// The SMTP reply for an end of message whose REPLBODY the MTA refused, or `nil`. Sendmail's
    /// `milter_data` honours every other modification the milter did not negotiate, but REPLBODY without
    /// SMFIF_CHGBODY it logs as "lied about replacing body, rejecting request and tempfailing message":
    /// the body stays, the milter stays connected, and a CONTINUE or ACCEPT becomes TEMPFAIL (`replfailed`).
    func refusedBodyReplacement(_ record: StepRecord) -> String? {
        guard record.command == .endOfMessage, session.rules.refusesUnnegotiatedBodyReplacement,
            session.options?.actions.contains(.changeBody) == false,
            record.replies.contains(where: { $0.id == .replaceBody })
        else { return nil }
        switch record.finalReply {
        case .continue?, .accept?: return configuration.profile.replies.tempfail
        default: return nil
        }
    }
}
