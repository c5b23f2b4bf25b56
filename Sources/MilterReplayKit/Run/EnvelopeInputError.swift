import MilterClient
import MilterProtocol

/// A message the MTA would not take from its SMTP client, whatever the milter says.
///
/// A NUL cannot travel in a milter string: an envelope address (or header field) with one is refused by the
/// MTA before the milter sees that command (the step is `notSent` with an `embeddedNUL` refusal), and the
/// transaction then ends with the MTA's own refusal ("no valid recipients"). That is an error in the input,
/// not the milter's verdict: the message is reported as an error, like one that found no milter connection.
enum EnvelopeInputError {
    /// Why the message could not be offered to the milter, naming the field but not its value; nil if it could.
    static func description(of result: borrowing TransactionResult) -> String? {
        for step in result.steps where step.refusal?.code == .embeddedNUL {
            let field =
                switch step.command {
                case .mail: "the envelope sender"
                case .recipient: "an envelope recipient"
                case .header: "a header field"
                default: "the \(step.command) data"
                }
            return "input error: \(field) contains NUL (value redacted); the MTA refuses it before the milter sees it"
        }
        return nil
    }
}
