import ArgumentParser
import MilterClient

/// The SMTP client the played MTA reports in CONNECT and HELO: the same options and defaults (MilterClient's
/// ``SMTPClient``: a documentation address, not the local host, which milters often let through unchecked) in
/// `milter-replay` and in a milter binary's `test`.
package struct ClientOptions: ParsableArguments {
    @Option(help: "The SMTP client's address reported in CONNECT.")
    package var clientAddr: String = SMTPClient().address ?? "192.0.2.1"

    @Option(help: "The SMTP client's host name ('unknown' sends [address]).")
    package var clientName: String = SMTPClient().hostname

    @Option(help: "The HELO name.")
    package var helo: String = SMTPClient().helo

    package init() {}

    /// The SMTP client these options describe.
    package var client: SMTPClient {
        SMTPClient(hostname: clientName, address: clientAddr, port: SMTPClient().port, helo: helo)
    }
}
