import MilterProtocol
import NIOCore
import Testing

@testable import ReferenceMilter

/// The memos that spare decoding and converting repeated MACRO packets give what decoding gives.
@Suite struct MacroMemoTests {
    private static func payload(_ stage: MilterCommand.ID, _ pairs: [(String, String)]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(stage.rawValue)
        for (name, value) in pairs {
            buffer.writeString(name)
            buffer.writeInteger(UInt8(0))
            buffer.writeString(value)
            buffer.writeInteger(UInt8(0))
        }
        return buffer
    }

    private static func definition(_ payload: ByteBuffer) throws -> MacroDefinition {
        guard case .macro(let definition) = try MilterCommand(frame: MilterFrame(command: 0x44, payload: payload))
        else { throw MilterProtocolError(.malformedPayload) }
        return definition
    }

    @Test func aPacketIsTakenFromThePacketMemoOnlyWhenItIsTheLastOfItsStageByteForByte() throws {
        var memo = MacroPacketMemo()
        let q1 = Self.payload(.header, [("i", "Q1")])
        #expect(memo.definition(of: q1) == nil)
        memo.remember(q1, as: try Self.definition(q1))
        #expect(memo.definition(of: q1) == (try Self.definition(q1)))
        #expect(memo.definition(of: Self.payload(.header, [("i", "Q2")])) == nil)
        #expect(memo.definition(of: Self.payload(.body, [("i", "Q1")])) == nil)
        let q2 = Self.payload(.header, [("i", "Q2")])
        memo.remember(q2, as: try Self.definition(q2))
        #expect(memo.definition(of: q1) == nil)
        #expect(memo.definition(of: q2) == (try Self.definition(q2)))
        // Stages the session refuses, and large packets, are never remembered.
        var unknown = ByteBuffer(bytes: [0x5A, 0x69, 0, 0x31, 0])
        memo.remember(unknown, as: MacroDefinition(stage: 0x5A, macros: [.init(name: "i", value: "1")]))
        #expect(memo.definition(of: unknown) == nil)
        unknown = Self.payload(.mail, [("i", String(repeating: "x", count: MacroPacketMemo.largestPayload))])
        memo.remember(unknown, as: try Self.definition(unknown))
        #expect(memo.definition(of: unknown) == nil)
    }

    @Test func conversionsAreSharedAcrossStagesAndTheOldestMakesRoom() throws {
        var conversions = MacroConversions(largestCost: 256)
        let header = try Self.definition(Self.payload(.header, [("i", "Q1"), ("{x}", "y")]))
        let body = try Self.definition(Self.payload(.body, [("i", "Q1"), ("{x}", "y")]))
        let expected: MacroValues = ["i": "Q1", "x": "y"]
        #expect(conversions.values(of: header).values == expected)
        #expect(conversions.values(of: body).values == expected)
        #expect(conversions.values(of: body).cost == MemoryCost.macros(expected))
        for index in 0...MacroConversions.capacity {
            let other = try Self.definition(Self.payload(.header, [("i", "Q\(index + 2)")]))
            #expect(conversions.values(of: other).values == ["i": "Q\(index + 2)"])
        }
        #expect(conversions.values(of: header).values == expected)
        let large = try Self.definition(Self.payload(.mail, [("i", String(repeating: "x", count: 300))]))
        #expect(conversions.values(of: large).values == ["i": String(repeating: "x", count: 300)])
    }

    /// Postfix's MAIL and RCPT packets, too costly to keep, differ from message to message by their queue id: each is
    /// converted again, its known names taken stripped already, to what stripping them gives.
    @Test func packetsTooCostlyToKeepAreConvertedAgainToTheSameTable() throws {
        var conversions = MacroConversions(largestCost: 256)
        for message in 0..<3 {
            let address = "sender\(message)@example.com"
            let mail = try Self.definition(
                Self.payload(
                    .mail,
                    [
                        ("i", "Q\(message)"), ("{mail_addr}", address), ("{mail_host}", "example.com"),
                        ("{mail_mailer}", "smtp"), ("{x_custom}", "c\(message)"), ("{i}", "last\(message)"),
                    ]))
            let (values, cost) = conversions.values(of: mail)
            #expect(cost > 256)
            #expect(
                values.pairs.map { [$0.name, $0.value] } == [
                    ["i", "last\(message)"], ["mail_addr", address], ["mail_host", "example.com"],
                    ["mail_mailer", "smtp"], ["x_custom", "c\(message)"],
                ])
            let rcpt = try Self.definition(
                Self.payload(
                    .recipient,
                    [
                        ("i", "Q\(message)"), ("{rcpt_addr}", "rcpt\(message)@example.org"),
                        ("{rcpt_host}", "example.org"), ("{rcpt_mailer}", "smtp"), ("{mail_addr}", "r\(message)"),
                    ]))
            #expect(
                conversions.values(of: rcpt).values.pairs.map { [$0.name, $0.value] } == [
                    ["i", "Q\(message)"], ["rcpt_addr", "rcpt\(message)@example.org"], ["rcpt_host", "example.org"],
                    ["rcpt_mailer", "smtp"], ["mail_addr", "r\(message)"],
                ])
        }
    }

    /// Every name a packet's decoding shares (Postfix's and Sendmail's) is stripped of its braces as any other name
    /// is; names near them, unknown, are stripped the same way.
    @Test func knownNamesAreStrippedAsOtherNames() throws {
        let names = [
            "i", "j", "_", "v", "{daemon_name}", "{daemon_addr}", "{daemon_port}", "{daemon_flags}", "{if_name}",
            "{if_addr}", "{client_addr}", "{client_port}", "{client_name}", "{client_ptr}", "{client_resolve}",
            "{client_connections}", "{client_rate}", "{tls_version}", "{cipher}", "{cipher_bits}", "{cert_subject}",
            "{cert_issuer}", "{auth_type}", "{auth_authen}", "{auth_author}", "{auth_ssf}", "{mail_addr}",
            "{mail_host}", "{mail_mailer}", "{rcpt_addr}", "{rcpt_host}", "{rcpt_mailer}", "{msg_id}", "{ntries}",
            "{nrcpts}", "{nbadrcpts}", "{verify}", "{server_name}", "{server_addr}", "{cert_md5}", "{cn_issuer}",
            "{cn_subject}", "{cert_fp}", "mail_addr", "{mail_addr", "mail_addr}", "{mail_adds}", "{}", "{", "k",
            "{client_connectionz}",
        ]
        let decoded = try Self.definition(Self.payload(.connect, names.map { ($0, "x") }))
        #expect(decoded.macros.map(\.name.string) == names)
        for (macro, name) in zip(decoded.macros, names) {
            #expect(MacroTable.normalize(macro.name) == MacroTable.normalize(name))
            #expect(MacroTable.normalize(MilterString(name)) == MacroTable.normalize(name))
        }
        #expect(MacroTable.normalize(MilterString("{mail_addr}")) == "mail_addr")
        #expect(MacroTable.normalize(MilterString("i")) == "i")
    }

    /// The same pairs under several stages, as Postfix sends `i`: each stage holds them, and a
    /// changed packet in one stage changes only that stage.
    @Test func theSamePairsUnderSeveralStagesReachEveryStage() throws {
        var driver = SessionDriver()
        let pairs = ["i": "Q1"]
        try driver.feed([Cmd.offer, Cmd.connect, Cmd.helo, Cmd.mail("a@example.com"), Cmd.rcpt("b@example.org")])
        try driver.feed([Cmd.macros(.data, pairs), .data, Cmd.macros(.header, pairs), Cmd.header("A", "1")])
        try driver.feed([Cmd.macros(.endOfHeaders, pairs), .endOfHeaders, Cmd.macros(.endOfMessage, ["i": "Q9"])])
        try driver.feed([Cmd.eom])
        let macros = try #require(driver.classified.first?.macros)
        #expect(macros.stage(.data) == pairs)
        #expect(macros.stage(.header) == pairs)
        #expect(macros.stage(.endOfHeaders) == pairs)
        #expect(macros["i"] == "Q9")
    }
}
