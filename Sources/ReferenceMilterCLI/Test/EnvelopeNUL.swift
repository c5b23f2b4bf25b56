import MilterClient
import MilterProtocol

/// An envelope the played MTA would refuse before the milter sees it: a NUL cannot travel in a milter string, so
/// an address or ESMTP argument with one (from a file's header fields: `To: b\0ob@example.net`) never reaches
/// MAIL or RCPT. `test` says so instead of printing the MTA's own refusal as the milter's verdict, as
/// milter-replay reports such a message as an input error.
enum EnvelopeNUL {
    /// `the envelope sender` or `an envelope recipient`, whichever holds a NUL first; `nil` when neither does.
    static func field(of message: MilterMessage) -> String? {
        if holdsNUL(message.sender) { return "the envelope sender" }
        if message.recipients.contains(where: holdsNUL) { return "an envelope recipient" }
        return nil
    }

    private static func holdsNUL(_ address: EnvelopeAddress) -> Bool {
        address.address.bytes.contains(0) || address.arguments.contains { $0.bytes.contains(0) }
    }
}
