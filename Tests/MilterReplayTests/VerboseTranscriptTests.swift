import Foundation
import MilterProtocol
import MilterTestSupport
import Testing

/// `milter-replay --verbose` through the built binary: each milter connection's transcript, every command and
/// reply in the `--pcap --dump` format, printed whole after the row of its last message.
struct VerboseTranscriptTests {
    /// One transcript as printed: its header, its frame lines, its footer.
    struct Transcript {
        var header: Substring
        var lines: [Substring] = []
        var footer: Substring = ""

        /// `MTA NAME` or `milter NAME` per frame line, MACRO packets left out.
        var steps: [String] {
            lines.compactMap { line in
                let words = line.split(separator: " ")
                guard words.count >= 4, words[3] != "MACRO" else { return nil }
                return "\(words[1]) \(words[3])"
            }
        }
    }

    /// A frame line of `--pcap --dump`: two spaces, the offset, the sender padded to 7, `#N` padded to 8, the frame.
    static var frameLine: Regex<(Substring, Substring, Substring?)> {
        /^  \+\d+\.\d{6}  (MTA   |milter) #\d+ +[A-Z_]+( .*)?$/
    }

    /// The transcripts in `stdout`, checking that each is whole: from its header to its footer, nothing but its
    /// frame lines. Returns them with the row printed just before each.
    static func transcripts(_ stdout: String) throws -> [(row: Substring, transcript: Transcript)] {
        var found: [(row: Substring, transcript: Transcript)] = []
        var open: Transcript?
        var previous: Substring = ""
        for line in stdout.split(separator: "\n", omittingEmptySubsequences: false) {
            if var transcript = open {
                if line.hasPrefix("end of session ") {
                    transcript.footer = line
                    found.append((previous, transcript))
                    open = nil
                } else {
                    try #require(line.wholeMatch(of: frameLine) != nil, "not a frame line inside a transcript: \(line)")
                    transcript.lines.append(line)
                    open = transcript
                }
            } else if line.hasPrefix("session ") {
                open = Transcript(header: line)
            } else {
                previous = line
            }
        }
        #expect(open == nil, "a transcript without its footer")
        return found
    }

    @Test func aScriptedMiltersRepliesFollowEachCommandInOrder() async throws {
        let milter = try await ResultRowTests.headerAddingMilter()
        let accept = ReplayBinary.fixture("replay/accept.eml")
        let result = try await ReplayBinary.run(["--verbose", "--target", "127.0.0.1:\(milter.port)", accept])
        // The milter reads the QUIT sent just before milter-replay closed in its own time.
        let received = try await pollUntil("QUIT at the milter", timeout: .seconds(30)) {
            milter.commands.last?.id == .quit ? milter.commands : nil
        }
        await milter.stop()
        #expect(result.status == 0, "\(result.stderr)")
        let found = try Self.transcripts(result.stdout)
        try #require(found.count == 1, "\(result.stdout)")
        let (row, transcript) = found[0]
        #expect(row.hasPrefix("\(accept)  accept  ADDHEADER"), "\(row)")
        let header =
            /^session 1: MTA -> milter inet:127\.0\.0\.1:\d+ \(live; #N is the Nth frame\) \d{4}-\d\d-\d\dT[0-9:.]+Z$/
        #expect(transcript.header.wholeMatch(of: header) != nil, "\(transcript.header)")
        let continued = ["CONNECT", "HELO", "MAIL", "RCPT", "DATA"].flatMap { ["MTA \($0)", "milter CONTINUE"] }
        let headers = Array(repeating: ["MTA HEADER", "milter CONTINUE"], count: 7).flatMap { $0 }
        #expect(
            transcript.steps
                == ["MTA OPTNEG", "milter OPTNEG"] + continued + headers
                + [
                    "MTA EOH", "milter CONTINUE", "MTA BODY", "milter CONTINUE", "MTA BODYEOB", "milter ADDHEADER",
                    "milter ACCEPT", "MTA ABORT", "MTA ABORT", "MTA QUIT",
                ])
        // Every frame on the wire has a line, numbered in order; the MTA's are the commands the milter got.
        #expect(transcript.lines.map { $0.split(separator: " ")[2] } == (1...transcript.lines.count).map { "#\($0)" })
        #expect(transcript.lines.filter { $0.contains("  MTA    #") }.count == received.count)
        #expect(transcript.lines.contains { $0.hasSuffix(#"MAIL address="<alice@example.org>" arguments=[]"#) })
        #expect(transcript.lines.contains { $0.hasSuffix(#"HEADER name="Subject" value="accept""#) })
        // The milter's header value ends in a terminal escape sequence: escaped, as --pcap --dump does.
        #expect(!result.stdout.contains("\u{1B}") && transcript.lines.contains { $0.contains(#"\x1b]0;pwned\x07""#) })
        let replies = transcript.lines.count - received.count
        #expect(transcript.footer == "end of session 1: \(received.count) commands, \(replies) replies, 0 issues")
    }

    @Test func theEmbeddedMilterTranscriptShowsEveryStage() async throws {
        let result = try await ReplayBinary.run(["-v", ReplayBinary.fixture("replay/accept.eml")])
        #expect(result.status == 0, "\(result.stderr)")
        let found = try Self.transcripts(result.stdout)
        try #require(found.count == 1, "\(result.stdout)")
        // The reference milter asks for no EOH and no DATA, and for no reply before end of message.
        let steps = found[0].transcript.steps
        #expect(
            steps.filter { $0 != "MTA HEADER" }
                == [
                    "MTA OPTNEG", "milter OPTNEG", "MTA CONNECT", "MTA HELO", "MTA MAIL", "MTA RCPT", "MTA BODY",
                    "MTA BODYEOB", "milter ADDHEADER", "milter ACCEPT", "MTA ABORT", "MTA ABORT", "MTA QUIT",
                ])
        #expect(steps.filter { $0 == "MTA HEADER" }.count == 7)
        // The queue ID appears once a recipient was accepted (Postfix's NOQUEUE before that).
        let lines = found[0].transcript.lines
        #expect(lines.contains { $0.contains(#"MACRO stage="M" macros={"{mail_addr}""#) })
        #expect(lines.contains { $0.contains(#"MACRO stage="L" macros={"i": "40000100001""#) })
    }

    @Test func standardInputAndABuiltMessageHaveTranscriptsToo() async throws {
        let message = "From: a@example.org\r\nTo: b@example.org\r\nSubject: piped\r\n\r\nfrom stdin\r\n"
        let piped = try await CommandLineMessageTests.run(["--verbose", "-"], input: Data(message.utf8))
        let built = try await CommandLineMessageTests.run([
            "-v", "--header", "From: a@example.org", "--header", "To: b@example.org", "--header", "Subject: built",
            "--body", "typed",
        ])
        for (result, subject, body) in [(piped, "piped", "from stdin\\r\\n"), (built, "built", "typed\\r\\n")] {
            #expect(result.status == 0, "\(result.stderr)")
            let found = try Self.transcripts(result.stdout)
            try #require(found.count == 1, "\(result.stdout)")
            let lines = found[0].transcript.lines
            // HDR_LEADSPC (the reference milter asks for it): the value as it is in the message.
            #expect(lines.contains { $0.hasSuffix(#"HEADER name="Subject" value=" \#(subject)""#) }, "\(lines)")
            #expect(lines.contains { $0.hasSuffix(#"BODY data=\#(body.count - 2)B:"\#(body)""#) }, "\(lines)")
        }
    }

    /// With a thread per connection (the default) and with event loop threads (`--threads`).
    @Test(arguments: [[], ["--threads", "2"]])
    func transcriptsOfConcurrentConnectionsDoNotInterleave(driver: [String]) async throws {
        let arguments = ["--connections", "2", "--repeat", "4", ReplayBinary.fixture("replay/accept.eml")] + driver
        let result = try await ReplayBinary.run(["--verbose"] + arguments)
        #expect(result.status == 0, "\(result.stderr)")
        let found = try Self.transcripts(result.stdout)
        #expect(found.count == 4)
        #expect(Set(found.map { $0.transcript.header.split(separator: ":")[0] }).count == 4)
        for (row, transcript) in found {
            // Each transcript follows its message's row: the session number is the queue ID's connection number.
            let number = try #require(Int(transcript.header.split(separator: ":")[0].dropFirst("session ".count)))
            let hex = String(number, radix: 16, uppercase: true)
            let queueID = "4" + String(repeating: "0", count: 5 - hex.count) + hex + "00001"
            #expect(row.hasSuffix("id \(queueID)"), "\(row)")
            #expect(transcript.steps.first == "MTA OPTNEG" && transcript.steps.last == "MTA QUIT")
            #expect(transcript.footer.hasPrefix("end of session \(number): "))
        }
        let quiet = try await ReplayBinary.run(arguments)
        #expect(quiet.status == 0, "\(quiet.stderr)")
        #expect(try Self.transcripts(quiet.stdout).isEmpty)
        #expect(!quiet.stdout.contains("session") && !quiet.stdout.contains("  +"))
        #expect(quiet.stdout.split(separator: "\n").filter { $0.hasSuffix("00001") }.count == 4)
    }

    @Test func withJSONEachTranscriptIsALineOfItsOwn() async throws {
        let accept = ReplayBinary.fixture("replay/accept.eml")
        let result = try await ReplayBinary.run(["--json", "--verbose", "--repeat", "2", accept])
        #expect(result.status == 0, "\(result.stderr)")
        let objects = try result.stdout.split(separator: "\n").map(ResultRowTests.json)
        #expect(objects.map { $0["type"] as? String } == ["message", "transcript", "message", "transcript", "summary"])
        let transcript = objects[1]
        #expect(transcript["session"] is Int && (transcript["milter"] as? String)?.hasPrefix("inet:") == true)
        let entries = try #require(transcript["entries"] as? [[String: Any]])
        #expect(entries.first?["name"] as? String == "OPTNEG" && entries.first?["direction"] as? String == "MTA")
        #expect(entries.first?["packets"] as? [Int] == [1, 1])
        #expect(entries.contains { $0["name"] as? String == "ACCEPT" && $0["direction"] as? String == "milter" })
        let plain = try await ReplayBinary.run(["--json", "--repeat", "2", accept])
        #expect(!plain.stdout.contains(#""type":"transcript""#))
    }

    @Test(arguments: [
        (["--verbose", "--quiet", ReplayBinary.fixture("replay/accept.eml")], "--quiet only the summary"),
        (["-v", "--pcap", ReplayBinary.fixture("pcap/postfix-cmilter-lo.pcap"), "--dump"], "--dump prints"),
    ])
    func verboseWithQuietOrPcapIsAUsageError(_ arguments: [String], _ reason: String) async throws {
        let result = try await ReplayBinary.run(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains(reason), "\(result.stderr)")
    }
}
