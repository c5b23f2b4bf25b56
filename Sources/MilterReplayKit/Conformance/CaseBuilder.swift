import MilterClient
import MilterProtocol
import NIOCore

/// Builds the steps of a session as the MTA played would send them: its macros, its chunking, its ABORTs.
package struct CaseBuilder: Sendable {
    package let context: CaseContext
    package let macros: CaseMacros

    package init(_ context: CaseContext) {
        self.context = context
        macros = CaseMacros(profile: context.profile)
    }

    package static let client = ConnectInfo(
        hostname: "client.example.test", address: .inet(address: "192.0.2.1", port: 49_152))

    /// The MTA's offer for `version`, with `flags` instead of its protocol mask when given.
    package func offer(_ version: MilterVersion = .v6, flags: MilterProtocolFlags? = nil) -> OptionNegotiation {
        var offer = context.profile.offer(version: version)
        if let flags { offer.protocolFlags = flags }
        return offer
    }

    package func connect(_ info: ConnectInfo = client, macroClient: String? = nil) -> CaseStep {
        let name = info.hostname.string
        let shown: String
        switch info.address {
        case .inet(let address, _), .inet6(let address, _): shown = "\(name) [\(address.string)]"
        case .local, .unknown: shown = name
        }
        return .send(.connect(info), macros: macros.connect(client: macroClient ?? shown))
    }

    package func helo(_ name: String = "client.example.test") -> CaseStep {
        .send(.helo(MilterString(name)), macros: macros.helo())
    }

    /// CONNECT and HELO.
    package var opening: [CaseStep] { [connect(), helo()] }

    package func mail(_ address: String = "alice@example.com", arguments: [String] = []) -> CaseStep {
        .send(
            .mail(
                EnvelopeAddress(address: MilterString("<\(address)>"), arguments: arguments.map { MilterString($0) })),
            macros: macros.mail(address))
    }

    package func recipient(_ address: String = "bob@example.org", arguments: [String] = []) -> CaseStep {
        .send(
            .recipient(
                EnvelopeAddress(address: MilterString("<\(address)>"), arguments: arguments.map { MilterString($0) })),
            macros: macros.recipient(address))
    }

    package var data: CaseStep { .send(.data, macros: macros.queueIDOnly(.data)) }

    /// One header, its value as the MTA sends it: with the leading space only when the milter asked for
    /// HDR_LEADSPC (and the MTA offers it, as both do at version 6).
    package func header(_ name: String, _ value: [UInt8]) -> CaseStep {
        let leading = context.asked.protocolFlags.contains(.headerLeadingSpace) ? [UInt8(ascii: " ")] : []
        let field = HeaderField(name: MilterString(name), value: MilterString(bytes: leading + value))
        return .send(.header(field), macros: context.isPostfix ? macros.content(.header) : [])
    }

    package func header(_ name: String, _ value: String) -> CaseStep { header(name, Array(value.utf8)) }

    package static let standardHeaders: [(String, String)] = [
        ("From", "Alice <alice@example.com>"), ("To", "Bob <bob@example.org>"), ("Subject", "conformance"),
        ("Date", "Thu, 1 Jan 2026 00:00:00 +0000"), ("Message-ID", "<conformance.1@example.com>"),
    ]

    package var headers: [CaseStep] { Self.standardHeaders.map { header($0.0, $0.1) } }

    package var endOfHeaders: CaseStep { .send(.endOfHeaders, macros: macros.queueIDOnly(.endOfHeaders)) }

    /// The body in chunks of 65535 bytes, as both MTAs send it.
    package func body(_ bytes: [UInt8]) -> [CaseStep] {
        stride(from: 0, to: bytes.count, by: MilterClientConnection.bodyChunkSize).map { start in
            let end = min(start + MilterClientConnection.bodyChunkSize, bytes.count)
            return .send(
                .body(ByteBuffer(bytes: bytes[start..<end])), macros: context.isPostfix ? macros.content(.body) : [])
        }
    }

    package static let standardBody = Array("Hello Bob,\r\n\r\nthis is a conformance test.\r\n".utf8)

    package var endOfMessage: CaseStep { .send(.endOfMessage(ByteBuffer()), macros: macros.endOfMessage()) }

    package var abort: CaseStep { .send(.abort, macros: []) }

    /// What ends a delivered transaction: Postfix's ABORT (PROTOCOL.md §E); Sendmail sends none.
    package var afterMessage: [CaseStep] { context.isPostfix ? [abort] : [] }

    /// A whole message: MAIL, RCPT, DATA, headers, EOH, body, end of message, and the MTA's ABORT.
    package func message(
        headers: [CaseStep]? = nil, body: [UInt8] = standardBody, recipients: [String] = ["bob@example.org"]
    ) -> [CaseStep] {
        [mail()] + recipients.map { recipient($0) } + [data] + (headers ?? self.headers) + [endOfHeaders]
            + self.body(body) + [endOfMessage] + afterMessage
    }

    package var quit: CaseStep { .send(.quit, macros: []) }

    /// A session: the offer, CONNECT and HELO, the steps, QUIT.
    package func session(
        offer: OptionNegotiation? = nil, opening: [CaseStep]? = nil, _ steps: [CaseStep],
        appliesToAgreement: @escaping @Sendable (NegotiatedOptions) -> String? = { _ in nil },
        check: @escaping @Sendable (SessionTrace) -> String? = { _ in nil }
    ) -> CaseScript {
        .session(
            SessionScript(
                offer: offer ?? self.offer(), steps: (opening ?? self.opening) + steps + [quit],
                appliesToAgreement: appliesToAgreement, check: check))
    }
}
