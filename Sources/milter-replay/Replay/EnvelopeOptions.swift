import ArgumentParser
import MilterClient

/// The SMTP client and envelope the played MTA reports.
struct EnvelopeOptions: ParsableArguments {
    @Option(help: "MAIL FROM for every message (default: Return-Path, else From, else <>).")
    var from: String?

    @Option(help: "RCPT TO, repeatable (default: To, Cc and Bcc, else postmaster@example.test).")
    var rcpt: [String] = []

    @OptionGroup var smtpClient: ClientOptions

    /// The SMTP client these options describe.
    var client: SMTPClient { smtpClient.client }
}
