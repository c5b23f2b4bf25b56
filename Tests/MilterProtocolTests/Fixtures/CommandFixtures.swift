import MilterProtocol
import NIOCore
import Testing

/// A command and its bytes, written by hand from PROTOCOL.md §B and mfdef.h.
typealias CommandFixture = Fixture<MilterCommand>

private typealias W = Wire

extension Fixture<MilterCommand> {
    static let all: [CommandFixture] = negotiation + macros + connects + envelope + content + empties

    static let negotiation: [CommandFixture] = [
        Fixture(
            "OPTNEG v6 as Postfix offers it", W.frame(13, "O", W.u32(6) + W.u32(0x1FF) + W.u32(0x1F_FFFF)),
            .optionNegotiation(
                OptionNegotiation(
                    version: MilterVersion(rawValue: 6), actions: MilterActions(rawValue: 0x1FF),
                    protocolFlags: MilterProtocolFlags(rawValue: 0x1F_FFFF)))),
        Fixture(
            "OPTNEG v2", W.frame(13, "O", W.u32(2) + W.u32(0x1FF) + W.u32(0x7F)),
            .optionNegotiation(
                OptionNegotiation(
                    version: MilterVersion(rawValue: 2), actions: MilterActions(rawValue: 0x1FF),
                    protocolFlags: MilterProtocolFlags(rawValue: 0x7F)))),
    ]

    static let macros: [CommandFixture] = [
        Fixture(
            "MACRO for CONNECT, three pairs",
            W.frame(56, "D", W.text("Cj\0mx.example.net\0{daemon_name}\0smtpd\0v\0Postfix 3.7.11\0")),
            .macro(
                MacroDefinition(
                    stage: UInt8(ascii: "C"),
                    macros: [
                        .init(name: "j", value: "mx.example.net"), .init(name: "{daemon_name}", value: "smtpd"),
                        .init(name: "v", value: "Postfix 3.7.11"),
                    ]))),
        Fixture(
            "MACRO for MAIL", W.frame(32, "D", W.text("M{mail_addr}\0alice@example.org\0")),
            .macro(
                MacroDefinition(
                    stage: UInt8(ascii: "M"), macros: [.init(name: "{mail_addr}", value: "alice@example.org")]))),
        Fixture(
            "MACRO stage L with no pairs", W.frame(2, "D", W.text("L")),
            .macro(MacroDefinition(stage: UInt8(ascii: "L")))),
        Fixture(
            "MACRO stage B", W.frame(11, "D", W.text("Bi\0ABC123\0")),
            .macro(MacroDefinition(stage: UInt8(ascii: "B"), macros: [.init(name: "i", value: "ABC123")]))),
        Fixture(
            "MACRO stage U with no pairs", W.frame(2, "D", W.text("U")),
            .macro(MacroDefinition(stage: UInt8(ascii: "U")))),
        Fixture(
            "MACRO with an empty value", W.frame(15, "D", W.text("M{auth_type}\0\0")),
            .macro(MacroDefinition(stage: UInt8(ascii: "M"), macros: [.init(name: "{auth_type}", value: "")]))),
    ]

    static let connects: [CommandFixture] = [
        Fixture(
            "CONNECT family 4, port 50000",
            W.frame(31, "C", W.text("mail.example.com\0") + W.text("4") + [0xC3, 0x50] + W.text("192.0.2.1\0")),
            .connect(ConnectInfo(hostname: "mail.example.com", address: .inet(address: "192.0.2.1", port: 50000)))),
        Fixture(
            "CONNECT unresolved [1.2.3.4]",
            W.frame(22, "C", W.text("[1.2.3.4]\0") + W.text("4") + [0x04, 0xD2] + W.text("1.2.3.4\0")),
            .connect(ConnectInfo(hostname: "[1.2.3.4]", address: .inet(address: "1.2.3.4", port: 1234)))),
        Fixture(
            "CONNECT family 6, Sendmail's IPv6: text",
            W.frame(38, "C", W.text("mx6.example.net\0") + W.text("6") + [0xFF, 0xFE] + W.text("IPv6:2001:db8::25\0")),
            .connect(
                ConnectInfo(hostname: "mx6.example.net", address: .inet6(address: "IPv6:2001:db8::25", port: 65534)))),
        Fixture(
            "CONNECT family 6, Postfix text",
            W.frame(30, "C", W.text("[2001:db8::1]\0") + W.text("6") + [0x00, 0x19] + W.text("2001:db8::1\0")),
            .connect(ConnectInfo(hostname: "[2001:db8::1]", address: .inet6(address: "2001:db8::1", port: 25)))),
        Fixture(
            "CONNECT family L",
            W.frame(29, "C", W.text("localhost\0") + W.text("L") + [0x00, 0x00] + W.text("/run/smtp.sock\0")),
            .connect(ConnectInfo(hostname: "localhost", address: .local(path: "/run/smtp.sock", port: 0)))),
        Fixture(
            "CONNECT family U", W.frame(10, "C", W.text("unknown\0U")),
            .connect(ConnectInfo(hostname: "unknown", address: .unknown))),
    ]

    static let envelope: [CommandFixture] = [
        Fixture("HELO", W.frame(20, "H", W.text("client.example.org\0")), .helo("client.example.org")),
        Fixture(
            "MAIL without arguments", W.frame(21, "M", W.text("<alice@example.org>\0")),
            .mail(EnvelopeAddress(address: "<alice@example.org>"))),
        Fixture(
            "MAIL with two ESMTP arguments",
            W.frame(45, "M", W.text("<alice@example.org>\0SIZE=1234\0BODY=8BITMIME\0")),
            .mail(EnvelopeAddress(address: "<alice@example.org>", arguments: ["SIZE=1234", "BODY=8BITMIME"]))),
        Fixture("MAIL null sender", W.frame(4, "M", W.text("<>\0")), .mail(EnvelopeAddress(address: "<>"))),
        Fixture(
            "RCPT with two ESMTP arguments",
            W.frame(71, "R", W.text("<bob@example.net>\0NOTIFY=SUCCESS,FAILURE\0ORCPT=rfc822;bob@example.net\0")),
            .recipient(
                EnvelopeAddress(
                    address: "<bob@example.net>", arguments: ["NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;bob@example.net"])
            )),
        Fixture(
            "RCPT without arguments", W.frame(19, "R", W.text("<bob@example.net>\0")),
            .recipient(EnvelopeAddress(address: "<bob@example.net>"))),
        Fixture("UNKNOWN", W.frame(6, "U", W.text("HELP\0")), .unknown("HELP")),
    ]

    static let content: [CommandFixture] = [
        Fixture(
            "HEADER", W.frame(21, "L", W.text("Subject\0Hello there\0")),
            .header(HeaderField(name: "Subject", value: "Hello there"))),
        Fixture(
            "HEADER with an empty value", W.frame(10, "L", W.text("X-Empty\0\0")),
            .header(HeaderField(name: "X-Empty", value: ""))),
        Fixture(
            "HEADER folded with a bare LF", W.frame(39, "L", W.text("Received\0from a.example\n\tby b.example\0")),
            .header(HeaderField(name: "Received", value: "from a.example\n\tby b.example"))),
        Fixture(
            "BODY", W.frame(15, "B", W.text("Hello\r\nworld\r\n")), .body(ByteBuffer(string: "Hello\r\nworld\r\n"))),
        Fixture(
            "BODY with NUL and invalid UTF-8", W.frame(7, "B", [0x00, 0xFF, 0xC3, 0x28, 0x0D, 0x0A]),
            .body(ByteBuffer(bytes: [0x00, 0xFF, 0xC3, 0x28, 0x0D, 0x0A]))),
        Fixture("BODY empty", W.frame(1, "B"), .body(ByteBuffer())),
        Fixture("BODYEOB empty", W.frame(1, "E"), .endOfMessage(ByteBuffer())),
        Fixture(
            "BODYEOB with a last chunk", W.frame(7, "E", W.text("tail\r\n")),
            .endOfMessage(ByteBuffer(string: "tail\r\n"))),
    ]

    static let empties: [CommandFixture] = [
        Fixture("DATA", W.frame(1, "T"), .data),
        Fixture("EOH", W.frame(1, "N"), .endOfHeaders),
        Fixture("ABORT", W.frame(1, "A"), .abort),
        Fixture("QUIT", W.frame(1, "Q"), .quit),
        Fixture("QUIT_NC", W.frame(1, "K"), .quitNewConnection),
    ]
}
