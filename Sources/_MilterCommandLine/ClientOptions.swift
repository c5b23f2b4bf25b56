import ArgumentParser
import MilterClient
import _MilterSystem

/// The SMTP client the played MTA reports in CONNECT and HELO: the same options and defaults (MilterClient's
/// ``SMTPClient``: a documentation address, not the local host, which milters often let through unchecked) in
/// `milter-replay` and in a milter binary's `test`.
package struct ClientOptions: ParsableArguments {
    @Option(help: "The SMTP client's address reported in CONNECT: IPv4, IPv6, or a socket path.")
    package var clientAddr: String = SMTPClient().address ?? "192.0.2.1"

    @Option(help: "The SMTP client's host name ('unknown' sends [address]).")
    package var clientName: String = SMTPClient().hostname

    @Option(help: "The HELO name.")
    package var helo: String = SMTPClient().helo

    package init() {}

    /// CONNECT carries an IPv4 or IPv6 address (family `4` or `6`) or a socket path (`L`); anything else would
    /// go out as an IPv4 address no MTA sends.
    package func validate() throws {
        for (option, value) in [("--helo", helo), ("--client-name", clientName)]
        where value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) {
            throw ValidationError(
                "\(option) cannot hold a line break or a NUL: no MTA could have received it (an SMTP command is one "
                    + "line, and the milter protocol ends the value at a NUL)")
        }
        guard Self.isAddressLiteral(clientAddr) || clientAddr.hasPrefix("/") else {
            throw ValidationError(
                "--client-addr must be an IPv4 or IPv6 address, or a socket path starting with '/' "
                    + "(a host name goes in --client-name)")
        }
    }

    /// Whether `text` is an IPv4 or IPv6 address literal.
    static func isAddressLiteral(_ text: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }

    /// The SMTP client these options describe.
    package var client: SMTPClient {
        SMTPClient(hostname: clientName, address: clientAddr, port: SMTPClient().port, helo: helo)
    }
}
