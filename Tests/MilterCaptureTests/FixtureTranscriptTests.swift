import Foundation
import MilterCapture
import MilterTestSupport
import Testing

/// Real captures recorded from Postfix/Sendmail with libmilter and OpenDKIM (fixtures/pcap/README.md), decoded
/// and compared with checked-in transcripts. `UPDATE_TRANSCRIPTS=1 swift test --filter FixtureTranscriptTests`
/// rewrites the expectations after a re-recording; review the diff before committing.
@Suite struct FixtureTranscriptTests {
    static let directory = TestPaths.fixtures("pcap")

    static let captures = [
        "postfix-cmilter-lo.pcap", "postfix-cmilter-any-sll2.pcap", "postfix-cmilter-snaplen120.pcap",
        "postfix-cmilter-ipv6.pcap", "postfix-opendkim.pcapng", "sendmail-cmilter-lo.pcap",
        // Milter-shaped traffic recorded by scripts/record-synthetic-captures.sh, one capture form each.
        "synthetic-lo-en10mb.pcap", "synthetic-lo-nanosecond.pcap", "synthetic-any-sll.pcap", "synthetic-lo-ipv6.pcap",
        "synthetic-snaplen80.pcap", "synthetic-lo.pcapng", "synthetic-midstream.pcap",
    ]

    static func dump(_ name: String) throws -> String {
        var options = MilterExtractionOptions()
        if name == "synthetic-midstream.pcap" {
            // Cut from synthetic-lo-en10mb.pcap after its OPTNEG: only the port can identify it, as with --port.
            let original = try FixtureExportTests.sessions("synthetic-lo-en10mb.pcap")
            options.milterPorts = [try #require(original.first).info.milter.port]
        }
        var output = ""
        _ = try CaptureDump.run(path: directory.appendingPathComponent(name).path, options: options) { output += $0 }
        return output
    }

    @Test(arguments: captures)
    func transcriptMatchesExpectation(capture: String) throws {
        let transcript = try Self.dump(capture)
        let expectation = Self.directory.appendingPathComponent(capture + ".transcript")
        if ProcessInfo.processInfo.environment["UPDATE_TRANSCRIPTS"] == "1" {
            try Data(transcript.utf8).write(to: expectation)
        }
        let expected = try String(contentsOf: expectation, encoding: .utf8)
        #expect(transcript == expected)
    }
}

@Suite struct FixtureExportTests {
    static func sessions(_ name: String) throws -> [CapturedSession] {
        var scanner = try MilterCaptureScanner(path: FixtureTranscriptTests.directory.appendingPathComponent(name).path)
        var collector = CapturedSessionCollector()
        var sessions: [CapturedSession] = []
        while let session = try scanner.nextSession(collector: &collector) { sessions.append(session) }
        return sessions
    }

    @Test func everyMessageThatReachedEndOfMessageIsExported() throws {
        let messages = try Self.sessions("postfix-cmilter-lo.pcap").flatMap(EMLExporter.messages(in:))
        // verdicts: 12 messages, rcpt: 2, helo-reject: none, large: 1 (fixtures/pcap/README.md).
        #expect(messages.count == 15)
        #expect(messages.allSatisfy { $0.isComplete })
        let large = try #require(messages.last)
        let text = String(decoding: large.bytes, as: UTF8.self)
        #expect(text.hasPrefix("X-Envelope-From: <sender@example.com>"))
        let body = try #require(text.range(of: "\r\n\r\n"))
        #expect(text[body.upperBound...].utf8.count == 71_690)
    }

    @Test func rejectedRecipientsAreLeftOutOfTheEnvelope() throws {
        let sessions = try Self.sessions("postfix-cmilter-lo.pcap")
        let rcpt = try #require(sessions.first { $0.info.stream.index == 1 })
        let first = try #require(EMLExporter.messages(in: rcpt).first)
        let text = String(decoding: first.bytes, as: UTF8.self)
        #expect(text.contains("X-Envelope-To: <rcpt@example.org>\r\n"))
        #expect(!text.contains("reject-rcpt"))
    }

    @Test func snapLengthCutMessagesAreMarkedIncomplete() throws {
        let messages = try Self.sessions("postfix-cmilter-snaplen120.pcap").flatMap(EMLExporter.messages(in:))
        #expect(!messages.isEmpty)
        #expect(messages.contains { !$0.isComplete })
        #expect(
            messages.filter { !$0.isComplete }.allSatisfy {
                String(decoding: $0.bytes, as: UTF8.self).contains("X-Capture-Incomplete:")
            })
    }

    @Test(arguments: FixtureTranscriptTests.captures)
    func jsonLinesParse(capture: String) throws {
        for session in try Self.sessions(capture) {
            let line = JSONTranscriptRenderer().render(session)
            #expect(try JSONSerialization.jsonObject(with: Data(line.utf8)) is [String: Any])
        }
    }
}
