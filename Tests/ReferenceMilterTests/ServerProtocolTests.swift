import Logging
import MilterProtocol
import MilterTestSupport
import NIOCore
import Testing

@testable import ReferenceMilter

func quietLogger() -> Logger {
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    return logger
}

func startMilter(
    _ classifier: any MailClassifier = RulesClassifier.default,
    _ configure: (inout ServerConfiguration) -> Void = { _ in }
) async throws -> EmbeddedMilter {
    var configuration = ServerConfiguration(eventLoopThreads: 1, drainTimeout: .milliseconds(200))
    // The test MTA sends OPTNEG from the cooperative pool, which other suites can hold for seconds on
    // a loaded machine: the 5-second handshake timeout is for hostile peers, tested on its own.
    configuration.timeouts.handshake = .seconds(120)
    configure(&configuration)
    return try await EmbeddedMilter.start(classifier: classifier, configuration: configuration, logger: quietLogger())
}

@Suite struct ServerProtocolTests {
    static let verdicts: [(String, [MilterReply])] = [
        // TestMTA offers what Postfix does, HDR_LEADSPC included: the value brings the space after the colon.
        ("hello", [.addHeader(HeaderField(name: "X-Reference-Milter", value: " checked")), .accept]),
        ("x [reject]", [.replyCode("550 5.7.1 rejected by subject rule")]),
        ("x [tempfail]", [.replyCode("451 4.7.1 tempfail by subject rule")]),
        ("x [discard]", [.discard]),
        ("x [quarantine]", [.quarantine("subject rule"), .accept]),
    ]

    @Test(arguments: verdicts)
    func defaultRulesGiveEveryVerdict(subject: String, expected: [MilterReply]) async throws {
        let milter = try await startMilter()
        let mta = try await TestMTA.connect(to: milter)
        try await mta.negotiate()
        try await mta.send([Cmd.connect, Cmd.helo])
        #expect(try await mta.message(Cmd.message(subject: subject)) == expected)
        // Postfix's ABORT after every transaction, then a second message on the same connection.
        try await mta.send([.abort, .abort])
        #expect(try await mta.message(Cmd.message(subject: "again")).last == .accept)
        await mta.close()
        await milter.shutdown()
    }

    @Test func everyModificationReachesTheWireInOrder() async throws {
        let modifications: [Modification] = [
            .addHeader(name: "X-Add", value: "a\r\n\tb"), .insertHeader(index: 0, name: "X-Top", value: "t"),
            .changeHeader(name: "Subject", occurrence: 1, value: "new"), .deleteHeader(name: "X-Old", occurrence: 2),
            .addRecipient("carol@example.org", arguments: nil),
            .addRecipient("dave@example.org", arguments: "NOTIFY=NEVER"),
            .deleteRecipient("bob@example.org"), .changeSender("eve@example.com", arguments: "BODY=8BITMIME"),
            .replaceBody(Array("new body\r\n".utf8)),
        ]
        let milter = try await startMilter(RecordingClassifier(.accept("all", modifications: modifications)))
        let mta = try await TestMTA.connect(to: milter)
        try await mta.negotiate()
        try await mta.send([Cmd.connect, Cmd.helo])
        let replies = try await mta.message(Cmd.message(subject: "s"))
        #expect(
            replies == [
                // HDR_LEADSPC: each value brings its space, but a deletion's stays empty.
                .addHeader(HeaderField(name: "X-Add", value: " a\n\tb")),
                .insertHeader(IndexedHeaderField(index: 0, field: HeaderField(name: "X-Top", value: " t"))),
                .changeHeader(IndexedHeaderField(index: 1, field: HeaderField(name: "Subject", value: " new"))),
                .changeHeader(IndexedHeaderField(index: 2, field: HeaderField(name: "X-Old", value: ""))),
                .addRecipient("<carol@example.org>"),
                .addRecipientWithArguments(EnvelopeChange(address: "<dave@example.org>", arguments: "NOTIFY=NEVER")),
                .deleteRecipient("<bob@example.org>"),
                .changeSender(EnvelopeChange(address: "<eve@example.com>", arguments: "BODY=8BITMIME")),
                .replaceBody(ByteBuffer(string: "new body\r\n")), .accept,
            ])
        await mta.close()
        await milter.shutdown()
    }

    @Test func classifierSeesEnvelopeMacrosAndMessage() async throws {
        let classifier = RecordingClassifier()
        let milter = try await startMilter(classifier)
        let mta = try await TestMTA.connect(to: milter)
        try await mta.negotiate()
        try await mta.send([
            Cmd.macros(.connect, ["j": "mx.example", "{daemon_name}": "smtpd"]), Cmd.connect, Cmd.helo,
        ])
        _ = try await mta.message(
            Cmd.message(subject: "=?UTF-8?Q?Gr=C3=BC=C3=9Fe?=", recipients: ["b@example.org", "c@example.org"]))
        let mail = try #require(classifier.seen.first)
        #expect(mail.queueID == "Q1")
        #expect(mail.macros["daemon_name"] == "smtpd")
        #expect(
            mail.client == ClientInfo(hostname: "client.example", address: "192.0.2.7", port: 40_000, family: .inet))
        #expect(mail.helo == "client.example")
        #expect(mail.senderAddress == "alice@example.com")
        #expect(mail.recipientAddresses == ["b@example.org", "c@example.org"])
        #expect(mail.recipients.map { $0.macros["rcpt_addr"] } == ["b@example.org", "c@example.org"])
        #expect(mail.onlyRecipient == "")
        #expect(mail.subject == "Grüße")
        #expect(mail.fromName == "Alice" && mail.fromAddress == "alice@example.com")
        #expect(mail.textBody.contains("Hello"))
        await mta.close()
        await milter.shutdown()
    }

    @Test func earlyChecksRefuseOneRecipientAndTheSessionGoesOn() async throws {
        let milter = try await startMilter(EarlyClassifier())
        let mta = try await TestMTA.connect(to: milter)
        try await mta.negotiate()
        try await mta.send([Cmd.connect])
        try await mta.send([Cmd.helo])
        #expect(try await mta.step() == [.continue])
        try await mta.send([Cmd.mail("a@example.com"), Cmd.rcpt("bad@example.org")])
        #expect(try await mta.step() == [.replyCode("550 5.1.1 no such user")])
        try await mta.send([Cmd.rcpt("good@example.org")])
        #expect(try await mta.step() == [.continue])
        try await mta.send([Cmd.header("Subject", "s"), Cmd.eom])
        #expect(try await mta.step() == [.accept])
        try await mta.send([.abort, Cmd.macros(.helo, [:]), .helo("slow")])
        #expect(try await mta.step() == [.tempfail])
        await mta.close()
        await milter.shutdown()
    }

    @Test func truncationSkipsTheRestOfTheBody() async throws {
        let classifier = RecordingClassifier()
        let milter = try await startMilter(classifier) { $0.protocolOptions = ProtocolOptions(truncate: 40) }
        let mta = try await TestMTA.connect(to: milter)
        let agreed = try await mta.negotiate()
        #expect(agreed.protocolFlags.contains(.skip))
        try await mta.send([Cmd.connect, Cmd.helo, Cmd.mail("a@example.com"), Cmd.rcpt("b@example.org")])
        // With HDR_LEADSPC, as Postfix sends it: 7 + 1 + 13 + 2 = 23 bytes of 40.
        #expect(agreed.protocolFlags.contains(.headerLeadingSpace))
        try await mta.send([Cmd.header("Subject", " twelve chars")])
        try await mta.send([Cmd.body("0123456789")])
        #expect(try await mta.step() == [.continue])
        try await mta.send([Cmd.body("abcdefghij")])
        #expect(try await mta.step() == [.skip])
        try await mta.send([Cmd.eom])
        #expect(try await mta.step().last == .accept)
        let mail = try #require(classifier.seen.first)
        #expect(mail.body == Array("0123456789abcdefg".utf8))
        #expect(mail.isBodyTruncated)
        await mta.close()
        await milter.shutdown()
    }
}
