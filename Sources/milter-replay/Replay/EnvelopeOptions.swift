import ArgumentParser
import MilterClient

/// The SMTP client and envelope the played MTA reports.
struct EnvelopeOptions: ParsableArguments {
    @Option(help: "MAIL FROM for every message (default: Return-Path, else From).")
    var from: String?

    @Option(help: "RCPT TO, repeatable (default: To, Cc and Bcc).")
    var rcpt: [String] = []

    @Option(help: "The SMTP client's address reported in CONNECT.")
    var clientAddr: String = "192.0.2.1"

    @Option(help: "The SMTP client's host name ('unknown' sends [address]).")
    var clientName: String = "client.example.test"

    @Option(help: "The HELO name.")
    var helo: String = "client.example.test"

    /// The SMTP client these options describe.
    var client: SMTPClient {
        SMTPClient(hostname: clientName, address: clientAddr, port: 49_152, helo: helo)
    }
}
