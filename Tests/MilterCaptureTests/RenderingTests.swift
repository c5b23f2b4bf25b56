import Foundation
import MilterCapture
import MilterProtocol
import MilterTestSupport
import NIOCore
import Testing

@Suite struct RenderingTests {
    typealias C = MilterConversation

    static func session(_ steps: [C.Step] = C.steps()) throws -> CapturedSession {
        try #require(try C.scan(C.pcap(try C.segments(steps))).sessions.first)
    }

    @Test func textTranscriptShowsOffsetsDirectionsAndFields() throws {
        let transcript = TranscriptRenderer().render(try Self.session())
        let lines = transcript.split(separator: "\n").map(String.init)
        #expect(
            lines.first == "session stream 0: MTA 10.0.0.1:40000 -> milter 10.0.0.2:7044 (OPTNEG, handshake) "
                + "2023-11-14T22:13:20.000000000Z")
        #expect(
            lines[1] == "  +0.003000  MTA    #4      OPTNEG version=6 actions=0x1ff<ADDHDRS|CHGBODY|ADDRCPT|DELRCPT|"
                + "CHGHDRS|QUARANTINE|CHGFROM|ADDRCPT_PAR|SETSYMLIST> protocol=0x1fffff<"
                + MilterProtocolFlags.all.description
                + ">")
        #expect(lines.contains("  +0.005000  MTA    #6      MACRO stage=\"C\" macros={\"j\": \"mx.example.org\"}"))
        #expect(
            lines.contains(
                "  +0.005000  MTA    #6      CONNECT hostname=\"client.example.net\" family=\"4\" port=4567 address=\"192.0.2.7\""
            ))
        #expect(
            lines.contains("  +0.009000  MTA    #10     MAIL address=\"<alice@example.net>\" arguments=[\"SIZE=100\"]"))
        #expect(lines.contains("  +0.023000  MTA    #24     BODY data=15B:\"Hello, world.\\r\\n\""))
        #expect(lines.contains("  +0.026000  milter #27     ADDHEADER name=\"X-Checked\" value=\"yes\""))
        #expect(lines.last == "end of stream 0: 15 commands, 13 replies, 0 issues")
    }

    @Test func issuesAppearInTheTranscript() throws {
        var segments = try C.segments(C.steps(body: String(repeating: "b", count: 300)))
        let index = try #require(segments.firstIndex { $0.payload.readableBytes > 300 })
        segments[index].missingPayloadBytes = 0
        let bytes = C.pcap(segments, snapLengths: [index: 100])
        let session = try #require(try C.scan(bytes).sessions.first)
        let transcript = TranscriptRenderer().render(session)
        #expect(transcript.contains("TRUNCATED BODY declaredLength=300 missingBytes=259 capturedPrefix=41B:"))
        #expect(
            transcript.contains(
                "  !          MTA    #\(index + 1)     snap length cut the packet: 259 bytes missing at stream offset ")
        )
        #expect(transcript.contains("inside BODY of 300 bytes from packet \(index + 1)"))
    }

    @Test func jsonIsValidAndCarriesTheSameFields() throws {
        let line = JSONTranscriptRenderer().render(try Self.session())
        #expect(line.hasSuffix("}\n") && !line.dropLast().contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["mta"] as? String == "10.0.0.1:40000")
        let entries = try #require(object["entries"] as? [[String: Any]])
        #expect(entries.count == 28)
        let mail = try #require(entries.first { $0["name"] as? String == "MAIL" })
        let fields = try #require(mail["fields"] as? [String: Any])
        #expect(fields["address"] as? String == "<alice@example.net>")
        #expect(fields["arguments"] as? [String] == ["SIZE=100"])
        #expect(mail["direction"] as? String == "MTA")
        #expect(mail["offsetSeconds"] as? Double == 0.009)
    }

    @Test func jsonEscapesAndEncodesBinary() throws {
        let steps: [C.Step] = [
            .mta([.optionNegotiation(C.offer)]),
            .mta([.header(HeaderField(name: "Subject", value: MilterString(bytes: [0x22, 0x0A, 0xE9, 0x01])))]),
        ]
        let line = JSONTranscriptRenderer().render(try Self.session(steps))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let entries = try #require(object["entries"] as? [[String: Any]])
        let fields = try #require(entries.last?["fields"] as? [String: Any])
        #expect((fields["value"] as? [String: String])?["base64"] == "IgrpAQ==")
    }

    @Test func messagesExportAsEML() throws {
        let steps =
            C.steps() + [
                .mta([.mail(EnvelopeAddress(address: "<>"))]), .milter([.continue]),
                .mta([.recipient(EnvelopeAddress(address: "<x@example.org>"))]), .milter([.replyCode("550 5.1.1 no")]),
                .mta([.recipient(EnvelopeAddress(address: "<y@example.org>"))]), .milter([.continue]),
                .mta([.header(HeaderField(name: "Subject", value: "two\n\tlines"))]), .milter([.continue]),
                .mta([.body(ByteBuffer(text: "second\r\n")), .endOfMessage(ByteBuffer())]), .milter([.accept]),
                .mta([.mail(EnvelopeAddress(address: "<aborted@example.net>")), .abort]),
            ]
        let messages = EMLExporter.messages(in: try Self.session(steps))
        #expect(messages.count == 2)
        #expect(messages.map(\.fileName) == ["stream-0-message-1.eml", "stream-0-message-2.eml"])
        #expect(
            String(decoding: messages[0].bytes, as: UTF8.self) == """
                X-Envelope-From: <alice@example.net> SIZE=100\r
                X-Envelope-To: <bob@example.org>\r
                X-Envelope-To: <carol@example.org>\r
                Subject: Greetings\r
                From: Alice <alice@example.net>\r
                \r
                Hello, world.\r

                """)
        #expect(
            String(decoding: messages[1].bytes, as: UTF8.self) == """
                X-Envelope-From: <>\r
                X-Envelope-To: <y@example.org>\r
                Subject: two\r
                \tlines\r
                \r
                second\r

                """)
        #expect(messages.allSatisfy { $0.isComplete })
    }

    @Test func dumpWritesTranscriptsSummaryAndFiles() throws {
        let path = "/tmp/milter-capture-dump-\(UInt64.random(in: 0...UInt64.max))"
        try TemporaryFile.write(C.pcap(try C.segments(C.steps())), to: path + ".pcap")
        defer {
            TemporaryFile.remove(path + ".pcap")
            TemporaryFile.remove(path + "/stream-0-message-1.eml")
            rmdir(path)
        }
        var output = ""
        let summary = try CaptureDump.run(path: path + ".pcap", exportDirectory: path) { output += $0 }
        #expect(summary.sessions == 1 && summary.exportedMessages == 1 && summary.sessionsWithIssues == 0)
        #expect(output.hasPrefix("session stream 0"))
        #expect(
            output.hasSuffix(
                "capture: 31 packets, 31 TCP, 1 milter sessions, 0 other TCP streams, 0 IP fragments, "
                    + "0 undecodable packets\n"))
        #expect(
            TemporaryFile.read(path + "/stream-0-message-1.eml")?.starts(with: Array("X-Envelope-From:".utf8)) == true)
        #expect(throws: CaptureDump.Failure.self) { try CaptureDump.run(path: path + ".missing") { _ in } }
    }
}
