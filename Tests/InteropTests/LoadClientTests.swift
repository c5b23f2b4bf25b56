import Foundation
import MilterProtocol
import MilterTestSupport
import ReferenceMilter
import Synchronization
import Testing

/// The C load client (interop/loadclient) completes every transaction against libmilter. Speed is
/// measured by scripts/load-vs-c-client.sh, never asserted here.
@Suite("C load client against libmilter")
struct LoadClientTests {
    @Test(arguments: [CMilter.Mode.plain, .headers])
    func everyMessageCompletes(mode: CMilter.Mode) async throws {
        guard Interop.require(.libmilter) else { return }
        let client = try await CProgram.shared.binary(
            source: "interop/loadclient/loadclient.c", libraries: ["-lpthread"])
        try await CMilter.with(mode: mode) { milter in
            let result = try await ProcessRunner.run(
                client.path, ["-c", "4", "-m", "10", "-t", "20", milter.host, String(milter.port)],
                timeout: .seconds(60))
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("connections=4 messages=40 failed_connections=0"))
            #expect(milter.log().components(separatedBy: "cmilter: eom").count - 1 == 40)
        }
    }

    /// Against the reference milter (built-in rules, NR flags, ADDHEADER before ACCEPT at EOM), every
    /// message is classified, and the MACRO packets arrive as Postfix sends them: a name, a value.
    @Test func everyMessageIsClassifiedByTheReferenceMilter() async throws {
        guard Interop.require(.libmilter) else { return }  // cc, which CProgram needs, comes with it
        let client = try await CProgram.shared.binary(
            source: "interop/loadclient/loadclient.c", libraries: ["-lpthread"])
        let seen = Mutex<[(MailInfo, Decision)]>([])
        let milter = try await EmbeddedMilter.start { mail, decision in seen.withLock { $0.append((mail, decision)) } }
        let result = try await ProcessRunner.run(
            client.path, ["-c", "4", "-m", "10", "-t", "20", milter.host, String(milter.port)], timeout: .seconds(60))
        await milter.shutdown()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("connections=4 messages=40 failed_connections=0"))
        let messages = seen.withLock { $0 }
        #expect(messages.count == 40)
        for (mail, decision) in messages.prefix(1) {
            #expect(decision.verdict == .accept)
            #expect(decision.modifications == [.addHeader(name: "X-Reference-Milter", value: "checked")])
            #expect(mail.macros["daemon_addr"] == "127.0.0.1")
            #expect(mail.macros["v"] == "Postfix 3.7.11")
            #expect(mail.macros["_"] == "client.load.test [127.0.0.1]")
            #expect(mail.queueID == "LOAD1")
            #expect(mail.header("Subject").hasPrefix("value 2 of message"))
        }
    }

    /// The C load client ends a connection as milter-replay does, as Postfix does: the message's ABORT, then the
    /// ABORT of `helo_reset` (`smtpd.c`) with QUIT; after a verdict at CONNECT or HELO neither, nor any message.
    /// The milter gets the same events from both, runs of HEADER and BODY counted as one (the two send different
    /// messages). DISCARD at CONNECT or HELO is no verdict to Postfix (`MTARules.ignoresDiscardAtConnection`): the
    /// session goes on.
    @Test(arguments: [
        nil, SessionEndCase.Verdict(.helo, .reject), SessionEndCase.Verdict(.connect, .accept),
        SessionEndCase.Verdict(.connect, .discard), SessionEndCase.Verdict(.helo, .discard),
    ])
    func bothClientsEndAConnectionAlike(verdict: SessionEndCase.Verdict?) async throws {
        guard Interop.require(.libmilter) else { return }  // cc, which CProgram needs, comes with it
        let client = try await CProgram.shared.binary(
            source: "interop/loadclient/loadclient.c", libraries: ["-lpthread"])
        let file = TestPaths.root.appendingPathComponent("fixtures/eml/plain-lf.eml").path
        let milter = try await ScriptedMilter(
            script: Scripts.wellBehaved { command in
                command.id == verdict?.step ? verdict.map { [.reply($0.reply)] } : nil
            })
        let (fromC, cEvents) = try await milter.events {
            try await ProcessRunner.run(
                client.path, ["-c", "1", "-m", "1", "-t", "20", "127.0.0.1", String(milter.port)],
                timeout: .seconds(60))
        }
        let (fromReplay, replayEvents) = try await milter.events {
            try await MilterReplayBinary.run(
                [
                    "--target", "127.0.0.1:\(milter.port)", "--quiet", "--from", "a@example.com", "--rcpt",
                    "b@example.org",
                ]
                    + [file])
        }
        await milter.stop()
        #expect(fromC.status == 0, "\(fromC.stderr)")
        let continues = verdict == nil || verdict?.reply == .discard
        if continues { #expect(fromReplay.status == 0, "\(fromReplay.stdout)\(fromReplay.stderr)") }
        #expect(SessionEndCase.collapsed(cEvents) == SessionEndCase.collapsed(replayEvents), "\(cEvents)")
        let end: [MilterCommand.ID] =
            switch verdict?.step {
            case _ where continues: [.endOfMessage, .abort, .abort, .quit]
            case .connect?: [.optionNegotiation, .connect]
            default: [.connect, .helo]
            }
        #expect(cEvents.suffix(end.count) == end, "\(cEvents)")
    }

    /// With `-f`, the C load client sends real message files as milter-replay sends them: the
    /// reference milter sees the same header fields (folding, leading space, a first "From " line)
    /// and the same body from both clients, so a load comparison on real messages compares the same
    /// work.
    @Test func messageFilesAreSentAsMilterReplaySendsThem() async throws {
        guard Interop.require(.libmilter) else { return }
        let client = try await CProgram.shared.binary(
            source: "interop/loadclient/loadclient.c", libraries: ["-lpthread"])
        let files = ["folded-headers.eml", "plain-lf.eml", "mbox-from-line.eml", "attachment-pdf.eml", "digest.eml"]
            .map { TestPaths.root.appendingPathComponent("fixtures/eml/\($0)").path }
        func seenBy(_ run: (EmbeddedMilter) async throws -> ProcessResult) async throws -> [MailInfo] {
            let seen = Mutex<[MailInfo]>([])
            let milter = try await EmbeddedMilter.start { mail, _ in seen.withLock { $0.append(mail) } }
            let result = try await run(milter)
            await milter.shutdown()
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            return seen.withLock { $0 }
        }
        let fromC = try await seenBy { milter in
            try await ProcessRunner.run(
                client.path,
                ["-c", "1", "-m", "\(files.count)", "-t", "20"] + files.flatMap { ["-f", $0] }
                    + [milter.host, String(milter.port)], timeout: .seconds(60))
        }
        let fromReplay = try await seenBy { milter in
            try await MilterReplayBinary.run(
                [
                    "--target", "\(milter.host):\(milter.port)", "--messages-per-connection", "\(files.count)",
                    "--quiet",
                    "--from", "sender@example.com", "--rcpt", "rcpt@example.org",
                ] + files)
        }
        try #require(fromC.count == files.count && fromReplay.count == files.count)
        for (c, replay) in zip(fromC, fromReplay) {
            #expect(c.headerFields == replay.headerFields)
            #expect(c.body == replay.body)
            #expect(!c.headerFields.isEmpty && !c.body.isEmpty)
        }
    }
}
