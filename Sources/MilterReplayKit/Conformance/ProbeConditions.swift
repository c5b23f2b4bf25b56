import MilterProtocol

/// Conditions on what the milter asks for when offered everything (the probe), which the scenario format's
/// `skip-unless` cannot say: it looks at the case's own negotiation, where the flag in question is not offered.
enum ProbeConditions {
    /// Why the case `id` does not apply to this milter, or nil.
    static func skipReason(_ id: String, _ context: CaseContext) -> String? {
        if id.hasPrefix("event."), id.hasSuffix("-nr-not-offered") {
            let name = String(id.dropFirst("event.".count).dropLast("-nr-not-offered".count))
            guard let flag = noReplyFlags[name] else { return nil }
            return context.asked.protocolFlags.contains(flag.flag)
                ? nil : "the milter does not ask for \(flag.name) when it is offered"
        }
        if id == "frame.body-chunk-65536", context.asked.protocolFlags.contains(.noBody) {
            // SMFIP_NOBODY: Postfix and Sendmail send such a milter no BODY frame at all.
            return "the milter asks for no body (NOBODY): no MTA sends it a BODY frame"
        }
        if let version = versionOffers[id] {
            // Sendmail offers versions below 6 only the version 2 actions; a milter that needs more rightly
            // refuses such an MTA, as libmilter does (st_optionneg).
            let lacking = context.asked.actions.subtracting(context.profile.offer(version: version).actions)
            return lacking.isEmpty
                ? nil : "the milter needs \(lacking), which the MTA's version \(version) offer lacks"
        }
        return nil
    }

    static let noReplyFlags: [String: (flag: MilterProtocolFlags, name: String)] = [
        "connect": (.noReplyConnect, "NR_CONN"), "helo": (.noReplyHelo, "NR_HELO"), "mail": (.noReplyMail, "NR_MAIL"),
        "rcpt": (.noReplyRecipient, "NR_RCPT"), "data": (.noReplyData, "NR_DATA"), "header": (.noReplyHeader, "NR_HDR"),
        "eoh": (.noReplyEndOfHeaders, "NR_EOH"), "body": (.noReplyBody, "NR_BODY"),
        "unknown": (.noReplyUnknown, "NR_UNKN"),
    ]

    static let versionOffers: [String: MilterVersion] = [
        "version.v4-offer": .v4, "version.v3-offer": .v3, "version.v2-offer": .v2,
    ]
}
