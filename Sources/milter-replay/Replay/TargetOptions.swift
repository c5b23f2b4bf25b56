import ArgumentParser
import MilterClient
import MilterProtocol
import MilterReplayKit

/// Where the milter is and which MTA to play.
struct TargetOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The milter: HOST:PORT, [::1]:PORT, inet:HOST:PORT, inet:PORT@HOST, unix:/path.",
            valueName: "address"))
    var target: String?

    @Option(help: "The MTA to play: postfix or sendmail.")
    var mta: String = "postfix"

    @Option(parsing: .unconditional, help: "The protocol version to offer: 2, 3, 4 or 6.")
    var protocolVersion: UInt32 = 6

    @Option(
        name: .customLong("macro"),
        help: ArgumentHelp(
            "Set a macro: STAGE:NAME=VALUE, STAGE one of \(MacroEvent.allCases.map(\.rawValue).joined(separator: ", ")).",
            valueName: "stage:name=value"))
    var macros: [String] = []

    @Option(
        help: ArgumentHelp(
            "The relay host (Postfix's relayhost, e.g. [192.0.2.10]:25; Sendmail's SMART_HOST, e.g. [192.0.2.10]): "
                + "the {mail_host} and {rcpt_host} of every address not delivered locally (default: none, the "
                + "address's domain).",
            valueName: "host"))
    var relayHost: String?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Seconds to wait for each reply, 0.001 to 86400, for every step (default: the MTA's own; postfix: "
                + "30 s to connect and per command, 300 s for content and end of message; sendmail: 5 min, 10 s, "
                + "10 s, 5 min).",
            valueName: "seconds"))
    var timeout: SecondsArgument?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Watch each connection this many seconds after QUIT, 0 to 3600, for replies sent after it (findings) "
                + "until the milter closes (default 0: close right after QUIT, as Postfix does). The watch runs "
                + "in the background: the next connection does not wait. At most "
                + "\(QuitObserver.defaultMaximumConnections) connections are watched at once; beyond that a "
                + "connection closes at once and the run warns. Not with --pcap.",
            valueName: "seconds"))
    var observeAfterQuit: SecondsArgument?

    func validate() throws {
        guard MTAProfile.named(mta) != nil else { throw ValidationError("--mta must be postfix or sendmail") }
        guard MilterVersion(rawValue: protocolVersion).isSupported else {
            throw ValidationError("--protocol-version must be 2, 3, 4 or 6")
        }
        try NumericOption.check(timeout, "--timeout", in: NumericOption.timeoutSeconds)
        try NumericOption.check(observeAfterQuit, "--observe-after-quit", in: 0...3_600)
        _ = try macroOverrides()
        try Self.check(relayHost: relayHost)
        if let target { _ = try address(target) }
    }

    /// The parsed target address.
    func address(_ text: String) throws -> MilterAddress {
        do {
            return try MilterAddress(parsing: text)
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// The parsed `--macro` options.
    func macroOverrides() throws -> [MacroEvent: [(name: String, value: String)]] {
        do { return try MacroOverrides.parse(macros) } catch { throw ValidationError(error.description) }
    }

    /// The client configuration these options describe.
    func clientConfiguration() throws -> MilterClientConfiguration {
        var configuration = MilterClientConfiguration(
            profile: MTAProfile.named(mta) ?? .postfix, version: MilterVersion(rawValue: protocolVersion),
            macroOverrides: try macroOverrides())
        if let relayHost { configuration.identity.routing.relayHost = relayHost }
        if let timeout { configuration.timeouts = MilterTimeouts(all: .nanoseconds(Int64(timeout.seconds * 1e9))) }
        if let observeAfterQuit { configuration.quitDrainTimeout = .nanoseconds(Int64(observeAfterQuit.seconds * 1e9)) }
        return configuration
    }
}

extension TargetOptions {
    /// The longest `--relay-host` taken: a host name (253) with brackets and a port.
    static let maximumRelayHostLength = 300

    /// Refuses a relay host no MTA would take (empty, too long, with spaces, commas or control characters).
    static func check(relayHost: String?) throws {
        guard let relayHost else { return }
        let refused = relayHost.unicodeScalars.contains { $0.value <= 0x20 || $0.value == 0x7F || $0 == "," }
        guard !relayHost.isEmpty, relayHost.utf8.count <= maximumRelayHostLength, !refused else {
            throw ValidationError(
                "--relay-host must be one host, [address] or host:port of at most \(maximumRelayHostLength) bytes, "
                    + "without spaces, commas or control characters")
        }
    }
}
