import MilterProtocol
import NIOCore
import Testing

/// A reply and its bytes, written by hand from PROTOCOL.md §C and mfdef.h.
typealias ReplyFixture = Fixture<MilterReply>

private typealias W = Wire

extension Fixture<MilterReply> {
    static let all: [ReplyFixture] = negotiation + verdicts + replyCodes + recipients + headers + others

    /// Stage numbers on the wire: CONNECT 0, MAIL 2, EOM 5, EOH 6 (mfapi.h SMFIM_*).
    static let negotiation: [ReplyFixture] = [
        Fixture(
            "OPTNEG answer with symbol lists, EOM 5, EOH 6, and an empty list",
            W.frame(
                57, "O",
                W.u32(6) + W.u32(0x111) + W.u32(0x3000) + W.u32(0) + W.text("j {client_addr}\0") + W.u32(5)
                    + W.text("{msg_id}\0") + W.u32(6) + W.text("i\0") + W.u32(2) + W.text("\0")),
            .optionNegotiation(
                OptionNegotiation(
                    version: MilterVersion(rawValue: 6), actions: MilterActions(rawValue: 0x111),
                    protocolFlags: MilterProtocolFlags(rawValue: 0x3000),
                    symbolLists: [
                        SymbolList(stage: MacroStage(rawValue: 0), macros: "j {client_addr}"),
                        SymbolList(stage: MacroStage(rawValue: 5), macros: "{msg_id}"),
                        SymbolList(stage: MacroStage(rawValue: 6), macros: "i"),
                        SymbolList(stage: MacroStage(rawValue: 2), macros: ""),
                    ]))),
        Fixture(
            "OPTNEG answer v2 without symbol lists", W.frame(13, "O", W.u32(2) + W.u32(0x01) + W.u32(0)),
            .optionNegotiation(
                OptionNegotiation(
                    version: MilterVersion(rawValue: 2), actions: MilterActions(rawValue: 0x01),
                    protocolFlags: MilterProtocolFlags(rawValue: 0)))),
    ]

    static let verdicts: [ReplyFixture] = [
        Fixture("CONTINUE", W.frame(1, "c"), .continue),
        Fixture("ACCEPT", W.frame(1, "a"), .accept),
        Fixture("REJECT", W.frame(1, "r"), .reject),
        Fixture("TEMPFAIL", W.frame(1, "t"), .tempfail),
        Fixture("DISCARD", W.frame(1, "d"), .discard),
        Fixture("SKIP", W.frame(1, "s"), .skip),
        Fixture("PROGRESS", W.frame(1, "p"), .progress),
        Fixture("SHUTDOWN", W.frame(1, "4"), .shutdown),
        Fixture("CONN_FAIL", W.frame(1, "f"), .connectionFailure),
    ]

    static let replyCodes: [ReplyFixture] = [
        Fixture("REPLYCODE", W.frame(20, "y", W.text("550 5.7.1 Rejected\0")), .replyCode("550 5.7.1 Rejected")),
        Fixture(
            "REPLYCODE multi-line", W.frame(38, "y", W.text("451-4.7.1 Try again\r\n451 4.7.1 later\0")),
            .replyCode("451-4.7.1 Try again\r\n451 4.7.1 later")),
        Fixture(
            "REPLYCODE with a doubled %", W.frame(22, "y", W.text("550 5.7.1 100%% spam\0")),
            .replyCode("550 5.7.1 100%% spam")),
    ]

    static let recipients: [ReplyFixture] = [
        Fixture(
            "ADDRCPT", W.frame(21, "+", W.text("<carol@example.org>\0")), .addRecipient("<carol@example.org>")),
        Fixture("DELRCPT", W.frame(19, "-", W.text("<bob@example.net>\0")), .deleteRecipient("<bob@example.net>")),
        Fixture(
            "ADDRCPT_PAR with arguments as one string",
            W.frame(65, "2", W.text("<carol@example.org>\0NOTIFY=NEVER ORCPT=rfc822;carol@example.org\0")),
            .addRecipientWithArguments(
                EnvelopeChange(address: "<carol@example.org>", arguments: "NOTIFY=NEVER ORCPT=rfc822;carol@example.org")
            )),
        Fixture(
            "ADDRCPT_PAR without arguments", W.frame(21, "2", W.text("<carol@example.org>\0")),
            .addRecipientWithArguments(EnvelopeChange(address: "<carol@example.org>"))),
        Fixture(
            "CHGFROM with arguments as one string",
            W.frame(45, "e", W.text("<bounce@example.org>\0SIZE=100 BODY=8BITMIME\0")),
            .changeSender(EnvelopeChange(address: "<bounce@example.org>", arguments: "SIZE=100 BODY=8BITMIME"))),
        Fixture(
            "CHGFROM without arguments", W.frame(4, "e", W.text("<>\0")), .changeSender(EnvelopeChange(address: "<>"))),
    ]

    static let headers: [ReplyFixture] = [
        Fixture(
            "ADDHEADER", W.frame(12, "h", W.text("X-Spam\0yes\0")),
            .addHeader(HeaderField(name: "X-Spam", value: "yes"))),
        Fixture(
            "ADDHEADER with an empty value", W.frame(10, "h", W.text("X-Empty\0\0")),
            .addHeader(HeaderField(name: "X-Empty", value: ""))),
        Fixture(
            "INSHEADER at index 0", W.frame(17, "i", W.u32(0) + W.text("X-First\0top\0")),
            .insertHeader(IndexedHeaderField(index: 0, field: HeaderField(name: "X-First", value: "top")))),
        Fixture(
            "INSHEADER at index 0x01020304", W.frame(17, "i", [1, 2, 3, 4] + W.text("X-First\0top\0")),
            .insertHeader(IndexedHeaderField(index: 0x0102_0304, field: HeaderField(name: "X-First", value: "top")))),
        Fixture(
            "CHGHEADER index 2 with an empty value (delete)", W.frame(14, "m", W.u32(2) + W.text("Subject\0\0")),
            .changeHeader(IndexedHeaderField(index: 2, field: HeaderField(name: "Subject", value: "")))),
        Fixture(
            "CHGHEADER index 1 folded with a bare LF", W.frame(17, "m", W.u32(1) + W.text("X-Note\0a\n\tb\0")),
            .changeHeader(IndexedHeaderField(index: 1, field: HeaderField(name: "X-Note", value: "a\n\tb")))),
    ]

    static let others: [ReplyFixture] = [
        Fixture(
            "REPLBODY", W.frame(11, "b", W.text("New body\r\n")), .replaceBody(ByteBuffer(string: "New body\r\n"))),
        Fixture("QUARANTINE", W.frame(6, "q", W.text("spam\0")), .quarantine("spam")),
    ]
}
