import MilterProtocol
import NIOCore

/// One Postfix-shaped session as values: OPTNEG, CONNECT, HELO, one message with MACRO packets,
/// 10 headers and a 4 KB body, EOM, the ABORT Postfix sends after every transaction, the ABORT of
/// `helo_reset` (`smtpd.c`) at the end of a session that had a HELO, and QUIT.
enum PostfixTransaction {
    static let headerCount = 10
    static let bodyLength = 4096

    static var commands: [MilterCommand] {
        var out: [MilterCommand] = [.optionNegotiation(Negotiation.postfixOffer())]
        out += [.macro(macros("C", ["j": "mx.example.net", "{daemon_name}": "smtpd", "v": "Postfix 3.7.11"]))]
        out += [.connect(ConnectInfo(hostname: "[192.0.2.1]", address: .inet(address: "192.0.2.1", port: 50000)))]
        out += [.macro(macros("H", [:])), .helo("client.example.org")]
        out += [.macro(macros("M", ["i": "4F2A1C0D1", "{mail_addr}": "alice@example.org"]))]
        out += [.mail(EnvelopeAddress(address: "<alice@example.org>", arguments: ["SIZE=5000", "BODY=8BITMIME"]))]
        out += [
            .macro(macros("R", ["{rcpt_addr}": "bob@example.net"])),
            .recipient(EnvelopeAddress(address: "<bob@example.net>")),
        ]
        out += [.macro(macros("T", ["i": "4F2A1C0D1"])), .data]
        for index in 0..<headerCount {
            out += [.macro(macros("L", ["i": "4F2A1C0D1"])), .header(header(index))]
        }
        out += [.macro(macros("N", ["i": "4F2A1C0D1"])), .endOfHeaders]
        out += [.macro(macros("B", ["i": "4F2A1C0D1"])), .body(body)]
        out += [.macro(macros("E", ["i": "4F2A1C0D1"])), .endOfMessage(ByteBuffer()), .abort, .abort, .quit]
        return out
    }

    /// The milter's replies to that session: OPTNEG, a CONTINUE per event, and at EOM two
    /// modifications and an ACCEPT.
    static var replies: [MilterReply] {
        var out: [MilterReply] = [
            .optionNegotiation(
                OptionNegotiation(
                    version: .v6, actions: [.addHeaders, .changeHeaders], protocolFlags: [.skip],
                    symbolLists: [SymbolList(stage: .connect, names: ["j", "{client_addr}"])]))
        ]
        out += Array(repeating: MilterReply.continue, count: 6 + headerCount)
        out += [.addHeader(HeaderField(name: "X-Spam-Status", value: "No, score=0.1"))]
        out += [.changeHeader(IndexedHeaderField(index: 1, field: HeaderField(name: "Subject", value: "[ok] hello")))]
        out += [.accept]
        return out
    }

    static let body: ByteBuffer = {
        let line = Array("The quick brown fox jumps over the lazy dog, again and again.\r\n".utf8)
        var bytes: [UInt8] = []
        while bytes.count < bodyLength { bytes += line }
        return ByteBuffer(bytes: bytes.prefix(bodyLength))
    }()

    private static func header(_ index: Int) -> HeaderField {
        let names = ["Received", "From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"]
        let name = index < names.count ? names[index] : "X-Extra-\(index)"
        return HeaderField(name: MilterString(name), value: MilterString("value of header \(index)\n\tfolded part"))
    }

    private static func macros(_ stage: Character, _ pairs: KeyValuePairs<String, String>) -> MacroDefinition {
        MacroDefinition(
            stage: stage.asciiValue!,
            macros: pairs.map { MacroDefinition.Macro(name: MilterString($0.key), value: MilterString($0.value)) })
    }
}
