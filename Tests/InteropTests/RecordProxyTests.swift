import Foundation
import Logging
import MailMessage
import MilterCapture
import MilterClient
import MilterProtocol
import MilterTestSupport
import ReferenceMilter
import Testing

/// `milter-replay record` between MilterClient and a real milter: the mail flows unchanged, the
/// file it writes reads back with our reader and with tshark, and replaying it gives "same".
@Suite("milter-replay record")
struct RecordProxyTests {
    static func message(_ headers: [(String, String)], body: String = "body line\r\n") -> MilterMessage {
        var text = "From: Alice <sender@example.com>\r\nTo: <rcpt@example.org>\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        return MilterMessage(
            sender: EnvelopeAddress(mailbox: "sender@example.com"),
            recipients: [EnvelopeAddress(mailbox: "rcpt@example.org")],
            content: RawMessage(parsing: Array((text + "\r\n" + body).utf8)))
    }

    /// Sends `messages` on one connection through the proxy; returns the verdicts and every finding.
    static func session(_ messages: [MilterMessage], port: Int) async throws -> ([Disposition], [Finding]) {
        let connection = try await MilterClientConnection.open(to: .inet(host: "127.0.0.1", port: port))
        await connection.connect()
        await connection.helo()
        var verdicts: [Disposition] = []
        var findings: [Finding] = []
        for message in messages {
            let result = await connection.send(message)
            verdicts.append(result.verdict)
            findings += result.findings
        }
        findings += await connection.quit()
        return (verdicts, findings + (await connection.connectionFindings))
    }

    /// The sessions of a capture, read with MilterCapture.
    static func sessions(in file: URL) throws -> (sessions: [CapturedSession], packets: Int) {
        var scanner = MilterCaptureScanner(reader: try CaptureReader(path: file.path))
        var collector = CapturedSessionCollector()
        var sessions: [CapturedSession] = []
        while let session = try scanner.nextSession(collector: &collector) { sessions.append(session) }
        return (sessions, scanner.statistics.packets)
    }

    @Test func recordsLibmilterTrafficThatReadsBackAndReplaysTheSame() async throws {
        guard Interop.require(.libmilter) else { return }
        let large = String(repeating: "0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVW\r\n", count: 1200)
        try await CMilter.with(mode: .headers) { milter in
            try await withPeer(try await RecordingProxy.start(upstream: "127.0.0.1:\(milter.port)")) { proxy in
                let first = try await Self.session(
                    [
                        Self.message([("X-Test-Action", "reject")]), Self.message([("X-Test-Mod", "addheader")]),
                        Self.message([("X-Test-Mod", "replbody")], body: large),
                    ], port: proxy.port)
                #expect(first.0 == [.reject, .accept, .accept])
                #expect(first.1.isEmpty, "\(first.1)")
                let second = try await Self.session([Self.message([("X-Test-Action", "discard")])], port: proxy.port)
                #expect(second.0 == [.discard] && second.1.isEmpty)
                let log = await proxy.finish()
                // The harness's "is it listening" probe is a connection too: it is recorded, with no bytes.
                #expect(log.contains("recording: signal 15: wrote"), "\(log)")

                let (sessions, packets) = try Self.sessions(in: proxy.file)
                #expect(sessions.count == 2)
                #expect(sessions.allSatisfy { $0.isClean })
                let replies = sessions.flatMap(\.frames).compactMap { frame -> MilterReply.ID? in
                    if case .reply(let reply) = frame.decoded { reply.id } else { nil }
                }
                #expect(replies.filter { $0 == .reject }.count == 1)
                #expect(replies.contains(.addHeader) && replies.contains(.replaceBody) && replies.contains(.discard))
                try await Self.checkWithTshark(proxy.file, packets: packets)

                let replay = try await MilterReplayBinary.run([
                    "--pcap", proxy.file.path, "--target", milter.postfixSpec,
                ])
                #expect(replay.status == 0, "\(replay.stdout)\n\(replay.stderr)")
                #expect(replay.stdout.contains("sessions: 2  (same 2, different 0"), "\(replay.stdout)")
            }
        }
    }

    /// What users do: real Postfix talks to cmilter through the recorder. Postfix gets the
    /// milter's verdicts unchanged, and the file replays "same" against cmilter.
    @Test func recordsPostfixTrafficTransparently() async throws {
        guard Interop.require(.postfix, .libmilter) else { return }
        try await CMilter.with(mode: .headers) { milter in
            try await withPeer(try await RecordingProxy.start(upstream: "127.0.0.1:\(milter.port)")) { proxy in
                try await Postfix.with(milters: ["inet:127.0.0.1:\(proxy.port)"]) { postfix in
                    let session = try await postfix.session([
                        SMTPMessage(
                            from: "sender@example.com", to: ["rcpt@example.org"], headers: [("X-Test-Action", "reject")]
                        ),
                        SMTPMessage(
                            from: "sender@example.com", to: ["rcpt@example.org"], headers: [("X-Test-Mod", "addheader")]
                        ),
                    ])
                    #expect(session.results.map { $0.last.code } == [550, 250], "\(session.results.map(\.last))")
                    let delivered = try await postfix.delivered(count: 1)
                    #expect(delivered.first?.header(named: "X-CMilter-Added") == "added by cmilter")
                }
                _ = await proxy.finish()
                let (sessions, _) = try Self.sessions(in: proxy.file)
                #expect(sessions.count >= 1 && sessions.allSatisfy { $0.isClean })
                let replay = try await MilterReplayBinary.run([
                    "--pcap", proxy.file.path, "--target", milter.postfixSpec,
                ])
                #expect(replay.status == 0, "\(replay.stdout)\n\(replay.stderr)")
                #expect(replay.stdout.contains("different 0, not compared 0, not replayable 0"), "\(replay.stdout)")
            }
        }
    }

    /// No peer needed: the recorder in front of the reference milter, and the recorded file
    /// replayed against the binary's embedded reference milter (no --target): exit 0.
    @Test func recordsTheReferenceMilterAndReplaysAgainstTheEmbeddedOne() async throws {
        var logger = Logger(label: "record-test")
        logger.logLevel = .error
        // OPTNEG passes through the proxy: on a busy machine it can come later than the 5 s for hostile peers.
        var configuration = ServerConfiguration(eventLoopThreads: 1)
        configuration.timeouts.handshake = .seconds(120)
        let embedded = try await EmbeddedMilter.start(configuration: configuration, logger: logger)
        do {
            try await withPeer(try await RecordingProxy.start(upstream: "127.0.0.1:\(embedded.port)")) { proxy in
                let result = try await Self.session(
                    [
                        Self.message([("Subject", "plain")]), Self.message([("Subject", "[reject] this")]),
                        Self.message([("Subject", "[quarantine] hold")]),
                    ], port: proxy.port)
                #expect(result.1.isEmpty, "\(result.1)")
                _ = await proxy.finish()
                let (sessions, _) = try Self.sessions(in: proxy.file)
                #expect(sessions.count == 1 && sessions[0].isClean)
                let replay = try await MilterReplayBinary.run(["--pcap", proxy.file.path])
                #expect(replay.status == 0, "\(replay.stdout)\n\(replay.stderr)")
                #expect(replay.stdout.contains("sessions: 1  (same 1, different 0"), "\(replay.stdout)")
            }
        } catch {
            await embedded.shutdown()
            throw error
        }
        await embedded.shutdown()
    }

    /// tshark reads the file: every packet, in TCP streams, nothing malformed or flagged.
    static func checkWithTshark(_ file: URL, packets: Int) async throws {
        guard Interop.require(.tshark) else { return }
        let fields = try await ProcessRunner.run(
            "/usr/bin/tshark", ["-r", file.path, "-T", "fields", "-e", "tcp.stream"]
        ).check("tshark -r")
        let lines = fields.stdout.split(separator: "\n")
        #expect(lines.count == packets)
        #expect(Set(lines).count >= 2 && !lines.contains { $0.isEmpty })
        let flagged = try await ProcessRunner.run(
            "/usr/bin/tshark", ["-r", file.path, "-Y", "_ws.malformed || _ws.expert.severity >= warning"]
        ).check("tshark -Y")
        #expect(flagged.stdout.isEmpty, "\(flagged.stdout)")
    }
}
