import MailMessage
import MilterClient
import MilterProtocol
import MilterTestSupport
import Testing

@testable import ReferenceMilter

/// Waits, cancellably, far past any classifier timeout for subjects containing "hang"; accepts the rest.
struct StallingClassifier: MailClassifier {
    func classify(_ mail: MailInfo) async throws -> Decision {
        if mail.subject.contains("hang") { try await Task.sleep(for: .seconds(600)) }
        return .accept("fine")
    }
}

/// Modifications, truncation and classifier timeouts, as the fake MTA sees them.
@Suite(.tags(.integration)) struct MilterClientEffectTests {
    static let replacement = TestMail.body(lines: 1_500)
    static let modifications: [Modification] = [
        .addHeader(name: "X-Added", value: "yes"),
        .insertHeader(index: 1, name: "X-Inserted", value: "first"),
        .changeHeader(name: "Subject", occurrence: 1, value: "changed"),
        .deleteHeader(name: "X-Old", occurrence: 2),
        .addRecipient("dave@example.org", arguments: "NOTIFY=NEVER"),
        .deleteRecipient("bob@example.org"),
        .changeSender("eve@example.com", arguments: "BODY=8BITMIME"),
        .replaceBody(replacement),
    ]

    @Test(arguments: ["postfix", "sendmail"], [MilterVersion.v2, .v4, .v6])
    func everyModificationShapesTheQueuedMessage(profile: String, version: MilterVersion) async throws {
        for quarantine in [false, true] {
            try await checkModifications(try #require(MTAProfile.named(profile)), version, quarantine: quarantine)
        }
    }

    private func checkModifications(_ profile: MTAProfile, _ version: MilterVersion, quarantine: Bool) async throws {
        let decision: Decision =
            quarantine
            ? .quarantine("held", modifications: Self.modifications)
            : .accept("edited", modifications: Self.modifications)
        let milter = try await startMilter(RecordingClassifier(decision))
        let connection = try await openClient(milter, profile: profile, version: version)
        await connection.connect()
        await connection.helo()
        let old = [RawHeaderField(name: "X-Old", value: " one"), RawHeaderField(name: "X-Old", value: " two")]
        let recipients = ["bob@example.org", "carol@example.org"].map { EnvelopeAddress(mailbox: $0) }
        let result = await connection.send(TestMail.message(recipients: recipients, extraFields: old))
        #expect(result.verdict == (quarantine ? .quarantine : .accept))
        #expect(await TestMail.findings(result, connection).isEmpty)
        if quarantine { #expect(result.quarantineReason == "held") }
        // Sendmail offers CHGFROM and ADDRCPT_PAR only from version 6: the milter must then drop those
        // two modifications (sending them anyway would be a finding).
        let actions = await connection.options?.actions ?? []
        let changesSender = actions.contains(.changeSender)
        let addsWithArguments = actions.contains(.addRecipientsWithArguments)
        #expect(version != .v6 || (changesSender && addsWithArguments))
        let added = MilterReply.addRecipientWithArguments(
            EnvelopeChange(address: "<dave@example.org>", arguments: "NOTIFY=NEVER"))
        #expect(result.modifications.contains(added) == addsWithArguments)
        #expect(result.modifications.filter { $0.id == .replaceBody }.count == 2, "90,000 bytes in two chunks")
        #expect(await connection.quit().isEmpty)
        await milter.shutdown()

        let queued = try #require(result.resultingMessage)
        #expect(queued.sender == (changesSender ? "<eve@example.com>" : "<alice@example.com>"))
        #expect(queued.senderArguments == (changesSender ? "BODY=8BITMIME" : nil))
        #expect(queued.recipients == ["<carol@example.org>"] + (addsWithArguments ? ["<dave@example.org>"] : []))
        #expect(queued.body == Self.replacement)
        // The MTA's own Received comes first; INSHEADER index 1 lands right after it.
        let fields = queued.headerFields.map { "\($0.name):\($0.trimmedValue)" }
        #expect(
            Array(fields.dropFirst()) == [
                "X-Inserted:first", "From:Alice <alice@example.com>", "To:bob@example.org", "Subject:changed",
                "X-Old:one", "X-Added:yes",
            ], "\(fields)")
        #expect(queued.headerFields.first?.name == "Received")
    }

    @Test(arguments: ["postfix", "sendmail"], [MilterVersion.v2, .v4, .v6])
    func truncatedBodyAndSkip(profile: String, version: MilterVersion) async throws {
        let classifier = RecordingClassifier()
        let milter = try await startMilter(classifier) { $0.protocolOptions = ProtocolOptions(truncate: 1_000) }
        let connection = try await openClient(milter, profile: try #require(.named(profile)), version: version)
        await connection.connect()
        await connection.helo()
        let body = TestMail.body(lines: 3_000)
        let result = await connection.send(TestMail.message(body: body))
        #expect(result.verdict == .accept)
        #expect(await TestMail.findings(result, connection).isEmpty)
        let skips = await connection.options?.protocolFlags.contains(.skip) ?? false
        #expect(skips == (version == .v6), "SKIP exists from version 6")
        let sent = result.steps.filter { $0.command == .body && $0.delivery == .awaited }
        if skips {
            // The first chunk fills the budget: the milter answers SKIP and the MTA sends no more.
            #expect(sent.count == 1)
            #expect(sent.first?.finalReply == .skip)
        } else {
            // Without SKIP every chunk goes and is answered CONTINUE; the milter keeps none past the budget.
            #expect(sent.count == 3)
            #expect(sent.allSatisfy { $0.finalReply == .continue })
        }
        #expect(await connection.quit().isEmpty)
        await milter.shutdown()

        let seen = try #require(classifier.seen.first)
        #expect(seen.isBodyTruncated)
        #expect(!seen.body.isEmpty && seen.body.count < 1_000)
        #expect(Array(body.prefix(seen.body.count)) == seen.body)
        #expect(seen.headerFields.count == 3, "header fields are kept whole")
    }

    @Test(arguments: [MTAProfile.postfix, .sendmail])
    func truncateZeroNegotiatesNoBody(profile: MTAProfile) async throws {
        let classifier = RecordingClassifier()
        let milter = try await startMilter(classifier) { $0.protocolOptions = ProtocolOptions(truncate: 0) }
        let connection = try await openClient(milter, profile: profile)
        await connection.connect()
        await connection.helo()
        let result = await connection.send(TestMail.message(body: TestMail.body(lines: 2_000)))
        #expect(result.verdict == .accept)
        #expect(await TestMail.findings(result, connection).isEmpty)
        #expect(await connection.options?.protocolFlags.contains(.noBody) == true)
        let bodySteps = result.steps.filter { $0.command == .body }
        #expect(!bodySteps.isEmpty && bodySteps.allSatisfy { $0.delivery == .skipped })
        #expect(await connection.quit().isEmpty)
        await milter.shutdown()
        #expect(classifier.seen.first?.body.isEmpty == true)
    }

    /// Classifiers that fail: one that waits cancellably, one that blocks its thread, one that throws.
    static let failures: [(any MailClassifier, String)] = [
        (StallingClassifier(), "please hang"), (MisbehavingClassifier(), "please hang"),
        (MisbehavingClassifier(), "please throw"),
    ]

    @Test(arguments: [MTAProfile.postfix, .sendmail], failures.indices)
    func classifierFailureTempfailsAndTheConnectionGoesOn(profile: MTAProfile, index: Int) async throws {
        let (classifier, subject) = Self.failures[index]
        // Long enough that a trivial classification never hits it on a loaded machine.
        let milter = try await startMilter(classifier) { $0.classifierTimeout = .seconds(3) }
        let connection = try await openClient(milter, profile: profile)
        await connection.connect()
        await connection.helo()
        let failed = await connection.send(TestMail.message(subject: subject))
        #expect(failed.verdict == .tempfail)
        #expect(failed.smtpReply?.hasPrefix("451 4.3.0") == true, "\(failed.smtpReply ?? "nil")")
        #expect(await TestMail.findings(failed, connection).isEmpty)
        let next = await connection.send(TestMail.message(subject: "quick"))
        #expect(next.verdict == .accept)
        #expect(await TestMail.findings(next, connection).isEmpty)
        #expect(await connection.quit().isEmpty)
        await milter.shutdown()
    }
}
