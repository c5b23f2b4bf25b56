import MilterClient
import MilterProtocol

extension Catalogue {
    static let connectCases: [ConformanceCase] = [
        connectCase(
            "connect.ipv4", "CONNECT with family 4, a port and an address.",
            ConnectInfo(hostname: "client.example.test", address: .inet(address: "192.0.2.1", port: 49_152)),
            source: "libmilter mfdef.h (SMFIA_INET)"),
        connectCase(
            "connect.ipv6", "CONNECT with family 6 (Sendmail writes IPv6:2001:db8::1, Postfix 2001:db8::1).",
            ConnectInfo(hostname: "client6.example.test", address: .inet6(address: "2001:db8::1", port: 49_153)),
            source: Source.pitfall(12) + "; libmilter mfdef.h (SMFIA_INET6)", sendmailPrefix: true),
        connectCase(
            "connect.unix", "CONNECT with family L: a local socket path and port 0.",
            ConnectInfo(hostname: "localhost", address: .local(path: "/var/run/smtp.sock", port: 0)),
            source: "libmilter mfdef.h (SMFIA_UNIX)"),
        connectCase(
            "connect.unknown-family", "CONNECT with family U: no port, no address.",
            ConnectInfo(hostname: "unknown", address: .unknown), source: Source.pitfall(23)),
        connectCase(
            "connect.unresolved-name", "CONNECT for an unresolved client: the host name is [192.0.2.7].",
            ConnectInfo(hostname: "[192.0.2.7]", address: .inet(address: "192.0.2.7", port: 49_154)),
            source: Source.pitfall(23) + "; " + Source.milter8),
    ]

    private static func connectCase(
        _ id: String, _ summary: String, _ info: ConnectInfo, source: String, sendmailPrefix: Bool = false
    ) -> ConformanceCase {
        ConformanceCase(id, .must, summary, source: source) { context in
            let builder = CaseBuilder(context)
            var info = info
            if sendmailPrefix, !context.isPostfix, case .inet6(let address, let port) = info.address {
                info.address = .inet6(
                    address: MilterString(context.profile.ipv6AddressPrefix + address.string), port: port)
            }
            return builder.session(opening: [builder.connect(info), builder.helo()], builder.message())
        }
    }

    static let unknownCases: [ConformanceCase] = [
        ConformanceCase(
            "unknown.command", .must, "UNKNOWN (an SMTP command the MTA does not know) gets one reply.",
            source: "libmilter mfdef.h (SMFIC_UNKNOWN, version 3)"
        ) { context in
            let builder = CaseBuilder(context)
            return builder.session(
                [.send(.unknown("XFOO bar"), macros: [])] + builder.message(),
                appliesToAgreement: {
                    $0.version.hasUnknown ? nil : "the milter speaks version \($0.version): no UNKNOWN"
                })
        },
        ConformanceCase(
            "unknown.mid-transaction", .must, "UNKNOWN between RCPT and DATA, with a MACRO packet of stage U.",
            source: Source.pitfall(3) + "; " + Source.milter8
        ) { context in
            let builder = CaseBuilder(context)
            let unknown = CaseStep.send(
                .unknown("VRFY bob"), macros: [CaseMacros.definition(UInt8(ascii: "U"), [])])
            return builder.session(
                [builder.mail(), builder.recipient(), unknown] + Array(builder.message().dropFirst(2)),
                appliesToAgreement: {
                    $0.version.hasUnknown ? nil : "the milter speaks version \($0.version): no UNKNOWN"
                },
                check: lastMessageAnswered)
        },
    ]
}
