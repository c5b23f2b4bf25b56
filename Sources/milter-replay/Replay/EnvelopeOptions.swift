import ArgumentParser
import MilterClient

/// The SMTP client and envelope the played MTA reports.
struct EnvelopeOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "MAIL FROM for every message (default: an exported file's X-Envelope-From, else Return-Path, else From, "
                + "else <>)."))
    var from: String?

    @Option(
        help: ArgumentHelp(
            "RCPT TO, repeatable (default: an exported file's X-Envelope-To, else To, Cc and Bcc, else "
                + "postmaster@example.test)."))
    var rcpt: [String] = []

    @OptionGroup var smtpClient: ClientOptions

    /// The SMTP client these options describe.
    var client: SMTPClient { smtpClient.client }

    /// An address an MTA could send in MAIL or RCPT: no recipient is empty, and angle brackets only enclose.
    /// The values are not repeated in the error: they may be personal data.
    func validate() throws {
        if let from, !EnvelopeArgument.isEnvelopeAddress(from, allowingNull: true) {
            throw ValidationError(
                "--from is not one envelope address: write it bare (a@example.org) or in angle brackets, "
                    + "without a display name or spaces outside quotes; <> or an empty value is the null sender")
        }
        for recipient in rcpt where !EnvelopeArgument.isEnvelopeAddress(recipient, allowingNull: false) {
            throw ValidationError(
                "--rcpt is empty or not one envelope address: write it bare (b@example.org) or in angle brackets, "
                    + "without a display name or spaces outside quotes")
        }
    }
}
