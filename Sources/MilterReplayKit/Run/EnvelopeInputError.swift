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
        // This runs for every message of a load run: the untimed steps, because reading
        // ``TransactionResult/steps`` copies every step of a transaction sent from a record, and by index,
        // because a loop over the elements (`for`, `first(where:)`) copies each step it looks at.
        let steps = result.untimedSteps
        guard let index = steps.indices.first(where: { steps[$0].refusal?.code == .embeddedNUL }) else { return nil }
        let field =
            switch steps[index].command {
            case .mail: "the envelope sender"
            case .recipient: "an envelope recipient"
            case .header: "a header field"
            default: "the \(steps[index].command) data"
            }
        return "input error: \(field) contains NUL (value redacted); the MTA refuses it before the milter sees it"
    }
}
