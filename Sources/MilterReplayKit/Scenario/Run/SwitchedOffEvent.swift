import MilterProtocol

/// Why the MTA sends a command not at all under an agreement: the milter asked for its NO flag (`NOUNKNOWN`), or
/// the agreed version has no such command (UNKNOWN before version 3, DATA before 4). A command a SKIP reply cut
/// short is no such event: the agreement still sends it.
struct SwitchedOffEvent: Hashable, Sendable {
    /// The NO flag, or `nil` when the version is the reason.
    var flag: MilterProtocolFlags?
    /// `not exercised: the milter asked NOUNKNOWN: no UNKNOWN was sent`.
    var reason: String

    /// `nil` when `agreed` sends `command`.
    init?(_ command: MilterCommand.ID, under agreed: NegotiatedOptions) {
        guard !agreed.sends(command) else { return nil }
        if let flag = Self.noFlag(command), agreed.protocolFlags.contains(flag) {
            self.flag = flag
            reason = "not exercised: the milter asked \(flag): no \(command) was sent"
        } else {
            flag = nil
            reason = "not exercised: the agreed version \(agreed.version) has no \(command): none was sent"
        }
    }

    /// The NO flag that switches `command` off, if one does.
    static func noFlag(_ command: MilterCommand.ID) -> MilterProtocolFlags? {
        switch command {
        case .connect: .noConnect
        case .helo: .noHelo
        case .mail: .noMail
        case .recipient: .noRecipient
        case .data: .noData
        case .header: .noHeaders
        case .endOfHeaders: .noEndOfHeaders
        case .body: .noBody
        case .unknown: .noUnknown
        default: nil
        }
    }
}
