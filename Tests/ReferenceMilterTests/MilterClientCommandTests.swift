import MailMessage
import MilterClient
import MilterProtocol
import MilterTestSupport
import Testing

@testable import ReferenceMilter

/// Every command of a session, sent by the project's fake MTA to the embedded reference milter:
/// what the classifier sees must be what was sent, and the MTA must find nothing wrong.
@Suite(.tags(.integration)) struct MilterClientCommandTests {
    static let profiles: [MTAProfile] = [.postfix, .sendmail]
    static let versions: [MilterVersion] = [.v2, .v4, .v6]

    static let sender = EnvelopeAddress(mailbox: "alice@example.com", arguments: ["SIZE=186000", "BODY=8BITMIME"])
    static let recipients = [
        EnvelopeAddress(mailbox: "bob@example.org", arguments: ["NOTIFY=SUCCESS,FAILURE"]),
        EnvelopeAddress(mailbox: "carol@example.org"),
        EnvelopeAddress(mailbox: "dave@example.net", arguments: ["ORCPT=rfc822;dave@example.net"]),
    ]
    static let extraFields = [
        RawHeaderField(name: "Message-ID", value: " <1@example.com>"),
        RawHeaderField(name: "X-Folded", value: " first\r\n\tsecond"),
    ]

    @Test(arguments: profiles, versions)
    func fullTransactionReachesTheClassifier(profile: MTAProfile, version: MilterVersion) async throws {
        let classifier = RecordingClassifier()
        let milter = try await startMilter(classifier)
        let connection = try await openClient(milter, profile: profile, version: version)
        #expect(await connection.connect().finding == nil)
        #expect(await connection.helo("mail.client.example").finding == nil)
        let body = TestMail.body(lines: 3_000)
        let message = TestMail.message(
            recipients: Self.recipients, sender: Self.sender, extraFields: Self.extraFields, body: body)
        let result = await connection.send(message)
        #expect(result.verdict == .accept)
        #expect(await TestMail.findings(result, connection).isEmpty)
        let bodySteps = result.steps.filter { $0.command == .body && $0.delivery != .notSent }
        #expect(bodySteps.count == 3, "186,000 bytes go in 65,535-byte chunks")
        #expect(await connection.quit().isEmpty)
        await milter.shutdown()

        let seen = try #require(classifier.seen.first)
        #expect(classifier.seen.count == 1)
        #expect(seen.client.address == "192.0.2.1")
        #expect(seen.helo == "mail.client.example")
        #expect(seen.sender?.address == "alice@example.com")
        #expect(seen.sender?.arguments == ["SIZE=186000", "BODY=8BITMIME"])
        #expect(seen.recipients.map(\.address) == ["bob@example.org", "carol@example.org", "dave@example.net"])
        #expect(
            seen.recipients.map(\.arguments) == [["NOTIFY=SUCCESS,FAILURE"], [], ["ORCPT=rfc822;dave@example.net"]])
        #expect(seen.headerFields.map(\.name) == message.headerFields.map(\.name))
        #expect(seen.headerFields.map(\.trimmedValue) == message.headerFields.map(\.trimmedValue))
        #expect(seen.body == body)
        #expect(!seen.isBodyTruncated)
    }

    @Test(arguments: profiles, versions)
    func unknownAbortAndASecondTransaction(profile: MTAProfile, version: MilterVersion) async throws {
        let classifier = RecordingClassifier()
        let milter = try await startMilter(classifier)
        let connection = try await openClient(milter, profile: profile, version: version)
        await connection.connect()
        await connection.helo()
        let unknown = await connection.unknownCommand("XFOO bar")
        #expect(unknown.finding == nil)
        // The server negotiates NOUNKNOWN (and version 2 has no UNKNOWN at all): the MTA keeps it.
        #expect(unknown.delivery == .skipped)

        await connection.mail(Self.sender)
        await connection.recipient(Self.recipients[0])
        await connection.data()
        for field in TestMail.message(subject: "aborted").headerFields { await connection.header(field) }
        let aborted = await connection.abort()
        #expect(aborted.wasAborted)
        #expect(aborted.findings.isEmpty, "\(aborted.findings)")

        let second = TestMail.message(subject: "second", recipients: [Self.recipients[1]])
        let result = await connection.send(second)
        #expect(result.verdict == .accept)
        #expect(await TestMail.findings(result, connection).isEmpty)
        #expect(await connection.quit().isEmpty)
        await milter.shutdown()

        // The aborted message never reached the classifier, and left nothing in the second one.
        let seen = classifier.seen
        #expect(seen.count == 1)
        #expect(seen.first?.recipients.map(\.address) == ["carol@example.org"])
        #expect(seen.first?.subject == "second")
        #expect(seen.first?.headerFields.count == second.headerFields.count)
    }
}
