import MilterClient
import MilterProtocol
import MilterTestSupport
import NIOCore
import Testing

/// The fake MTA sends what Postfix (and Sendmail) send, and honours the negotiation.
@Suite struct ProfileBehaviourTests {
    @Test func postfixOrderWithMacrosBeforeEveryHeaderAndBodyChunk() async throws {
        let (result, milter, findings) = Fixtures.simulateRun(Scripts.wellBehaved())
        #expect(findings.isEmpty)
        #expect(result.verdict == .accept)
        Fixtures.expectPostfixOrder(milter.eventIDs, milter.macroPackets)
    }

    @Test func headersAsPostfixSendsThem() async throws {
        let (_, milter, _) = Fixtures.simulateRun(Scripts.wellBehaved())
        let headers = milter.commands.compactMap { if case .header(let field) = $0 { field } else { nil } }
        #expect(headers.map(\.name.string) == ["From", "To", "Subject", "X-Empty"])
        #expect(headers[2].value.string == "Hello\n\tfolded")
        #expect(headers[3].value.string == "")
        let body = milter.commands.compactMap { if case .body(let bytes) = $0 { bytes } else { nil } }
        #expect(body.map { String(buffer: $0) } == ["line one\r\nline two\r\n"])
    }

    @Test func headerLeadingSpaceKeptWhenNegotiated() async throws {
        let answer = Scripts.answer(flags: [.headerLeadingSpace])
        let (_, milter, _) = Fixtures.simulateRun(Scripts.wellBehaved(answer: answer))
        let headers = milter.commands.compactMap { if case .header(let field) = $0 { field } else { nil } }
        #expect(headers[0].value.string == " Alice <alice@example.org>")
    }

    @Test func noFlagsSkipEventsButNotTheirEnvelopeMacros() async throws {
        let answer = Scripts.answer(flags: [.noConnect, .noMail, .noHeaders, .noBody])
        let (result, milter, findings) = Fixtures.simulateRun(Scripts.wellBehaved(answer: answer))
        #expect(findings.isEmpty)
        #expect(result.verdict == .accept)
        #expect(!milter.eventIDs.contains(.connect))
        #expect(!milter.eventIDs.contains(.mail))
        #expect(!milter.eventIDs.contains(.header))
        #expect(!milter.eventIDs.contains(.body))
        let stages = milter.macroPackets.map { Character(Unicode.Scalar($0.stage)) }
        // CONNECT and MAIL macros still go (pitfall 4); Postfix never visits switched-off content.
        #expect(stages == ["C", "H", "M", "R", "R", "T", "N", "E"])
    }

    @Test func noReplyFlagsAreNotAwaited() async throws {
        let answer = Scripts.answer(flags: [.noReplyHeader, .noReplyRecipient])
        let (result, _, findings) = Fixtures.simulateRun(Scripts.wellBehaved(answer: answer))
        #expect(findings.isEmpty)
        #expect(result.verdict == .accept)
        let deliveries = result.steps.filter { $0.command == .header || $0.command == .recipient }.map(\.delivery)
        #expect(deliveries.count == 6)
        #expect(deliveries.allSatisfy { $0 == .sentWithoutReply })
    }

    @Test func skipEndsTheBody() async throws {
        var message = Fixtures.message
        message.body = Array(repeating: UInt8(ascii: "x"), count: 200_000)
        let answer = Scripts.answer(flags: [.skip])
        let (result, milter, findings) = Fixtures.simulateRun(
            Scripts.wellBehaved(answer: answer) { $0.id == .body ? [.reply(.skip)] : nil }, message: message)
        #expect(findings.isEmpty)
        #expect(result.verdict == .accept)
        #expect(milter.eventIDs.filter { $0 == .body }.count == 1)
        #expect(milter.eventIDs.contains(.endOfMessage))
    }

    @Test func bodyChunksAreExactly65535Bytes() async throws {
        var message = Fixtures.message
        message.body = Array(repeating: UInt8(ascii: "x"), count: 140_000)
        let (_, milter, _) = Fixtures.simulateRun(Scripts.wellBehaved(), message: message)
        let sizes = milter.commands.compactMap { if case .body(let bytes) = $0 { bytes.readableBytes } else { nil } }
        #expect(sizes == [65_535, 65_535, 140_002 - 131_070])
    }

    @Test func symbolListsChangeTheMacros() async throws {
        let answer = Scripts.answer(symbolLists: [SymbolList(stage: .mail, names: ["{mail_addr}", "{client_addr}"])])
        let (_, milter, _) = Fixtures.simulateRun(Scripts.wellBehaved(answer: answer))
        let mail = try #require(milter.macroPackets.first { $0.stage == UInt8(ascii: "M") })
        #expect(mail.macros.map(\.name.string) == ["{mail_addr}", "{client_addr}"])
        #expect(mail.macros.map(\.value.string) == ["alice@example.org", "192.0.2.1"])
    }

    @Test func macroOverrides() async throws {
        var configuration = Fixtures.configuration()
        configuration.macroOverrides[.mail] = [("{auth_authen}", "alice"), ("i", "QUEUE1")]
        let (_, milter, _) = Fixtures.simulateRun(Scripts.wellBehaved(), configuration: configuration)
        let mail = try #require(milter.macroPackets.first { $0.stage == UInt8(ascii: "M") })
        let values = Dictionary(uniqueKeysWithValues: mail.macros.map { ($0.name.string, $0.value.string) })
        #expect(values["{auth_authen}"] == "alice")
        #expect(values["i"] == "QUEUE1")
    }

    @Test(arguments: [MilterVersion.v2, .v3, .v4])
    func olderVersionsDropLaterEvents(version: MilterVersion) async throws {
        let answer = Scripts.answer(version: version, actions: .version2)
        let (result, milter, findings) = Fixtures.simulateRun(
            Scripts.wellBehaved(answer: answer), configuration: Fixtures.configuration(version: version))
        #expect(findings.isEmpty)
        #expect(result.verdict == .accept)
        #expect(milter.eventIDs.contains(.data) == (version >= .v4))
        guard case .optionNegotiation(let offer) = milter.commands.first else { Issue.record("no OPTNEG"); return }
        #expect(offer.version == version)
        #expect(offer.protocolFlags == version.postfixProtocolMask)
    }

    @Test func sendmailSendsNoAbortAfterASuccessfulMessageAndWritesIPv6Prefix() async throws {
        let milter = SimulatedMilter(script: Scripts.wellBehaved())
        let client = SMTPClient(hostname: "v6.example.test", address: "2001:db8::1", port: 4000, helo: "v6")
        let connection = SimulatedConnection(
            milter: milter, configuration: Fixtures.configuration(profile: .sendmail),
            client: client)
        connection.connect()
        _ = connection.send(Fixtures.message)
        connection.quit()
        #expect(!milter.eventIDs.contains(.abort))
        guard case .connect(let info)? = milter.commands.first(where: { $0.id == .connect }) else {
            Issue.record("no CONNECT")
            return
        }
        #expect(info.address == .inet6(address: "IPv6:2001:db8::1", port: 4000))
        #expect(!milter.macroPackets.contains { $0.stage == UInt8(ascii: "L") || $0.stage == UInt8(ascii: "B") })
    }

    @Test func connectLevelRejectClosesWithoutQuit() async throws {
        let milter = SimulatedMilter(
            script: Scripts.wellBehaved { $0.id == .connect ? [.reply(.reject)] : nil })
        let connection = Fixtures.open(milter)
        let result = connection.send(Fixtures.message)
        connection.quit()
        #expect(result.verdict == .reject)
        #expect(result.smtpReply == "550 5.7.1 Command rejected")
        #expect(milter.eventIDs == [.optionNegotiation, .connect])
        #expect(connection.connectionFindings.isEmpty)
    }

    /// DISCARD belongs to a message. Postfix ignores it at CONNECT and HELO (a warning in its log) and the
    /// session goes on.
    @Test func discardAtConnectIsIgnoredByPostfix() async throws {
        let milter = SimulatedMilter(
            script: Scripts.wellBehaved { $0.id == .connect || $0.id == .helo ? [.reply(.discard)] : nil })
        let connection = Fixtures.open(milter)
        let result = connection.send(Fixtures.message)
        connection.quit()
        #expect(result.verdict == .accept, "\(result.findings)")
        #expect(connection.connectionFindings.isEmpty && result.findings.isEmpty)
        #expect(milter.eventIDs.contains(.endOfMessage))
    }

    /// Sendmail's `milter_connect` sends QUIT on any verdict but CONTINUE, and `srvrsmtp.c` has no case
    /// for DISCARD: the session goes on unfiltered. After HELO it has no case either, and the milter stays.
    /// Both are warnings.
    @Test(arguments: [MilterCommand.ID.connect, .helo])
    func sendmailTakesDiscardAtConnection(step: MilterCommand.ID) async throws {
        let milter = SimulatedMilter(script: Scripts.wellBehaved { $0.id == step ? [.reply(.discard)] : nil })
        let connection = Fixtures.open(milter, configuration: Fixtures.configuration(profile: .sendmail))
        let result = connection.send(Fixtures.message)
        connection.quit()
        #expect(result.verdict == .accept)
        #expect(connection.connectionFindings.map(\.code) == ["replyNotAllowedHere"])
        #expect(connection.connectionFindings.allSatisfy { $0.severity == .warning && $0.step == step })
        if step == .connect {
            #expect(milter.eventIDs == [.optionNegotiation, .connect, .quit])
        } else {
            #expect(milter.eventIDs.contains(.endOfMessage))
        }
    }

    @Test func rejectedRecipientDoesNotEndTheTransaction() async throws {
        let milter = SimulatedMilter(
            script: Scripts.wellBehaved { command in
                if case .recipient(let rcpt) = command, rcpt.address.string.contains("bob") {
                    return [.reply(.replyCode("550 5.1.1 no such user"))]
                }
                return nil
            })
        let connection = Fixtures.open(milter)
        let result = connection.send(Fixtures.message)
        connection.quit()
        #expect(result.verdict == .accept)
        #expect(result.rejectedRecipients.map(\.reply) == ["550 5.1.1 no such user"])
        #expect(result.resultingMessage?.recipients == ["<carol@example.net>"])
    }

    @Test func sendmailRefusesProgressOutsideEndOfMessage() async throws {
        let (result, _, _) = Fixtures.simulateRun(
            Scripts.wellBehaved { $0.id == .mail ? [.reply(.progress), .reply(.continue)] : nil },
            configuration: Fixtures.configuration(profile: .sendmail))
        #expect(result.findings.map(\.code) == ["replyNotAllowedHere"])
        #expect(result.findings.first?.step == .mail)
        #expect(result.verdict == .tempfail)
    }

    /// PROGRESS is fine anywhere; an early QUARANTINE is taken too, but libmilter never sends one
    /// there: a finding, and Postfix's consequences (EarlyQuarantineTests).
    @Test func postfixAcceptsProgressAndQuarantineAnywhere() async throws {
        let (result, _, findings) = Fixtures.simulateRun(
            Scripts.wellBehaved {
                $0.id == .mail ? [.reply(.progress), .reply(.quarantine("early")), .reply(.continue)] : nil
            })
        #expect(findings.isEmpty && result.findings.map(\.code) == ["quarantineBeforeEndOfMessage"])
        #expect(result.verdict == .quarantine)
        #expect(result.quarantineReason == "early")
    }

    /// Real Sendmail 8.17 (fixtures/pcap/sendmail-cmilter-lo.pcap) sends no ABORT after a message
    /// refused at end of message; PROTOCOL.md §F's "after a message-level reject" does not hold there.
    @Test func sendmailDoesNotAbortAfterAMessageRejectedAtEndOfMessage() async throws {
        let (result, milter, _) = Fixtures.simulateRun(
            Scripts.wellBehaved(endOfMessage: [.reply(.reject)]),
            configuration: Fixtures.configuration(profile: .sendmail))
        #expect(result.verdict == .reject)
        #expect(milter.eventIDs.suffix(2) == [.endOfMessage, .quit])
    }

    @Test func abortAtAnyPoint() async throws {
        let milter = SimulatedMilter(script: Scripts.wellBehaved())
        let connection = Fixtures.open(milter)
        connection.mail(Fixtures.sender)
        connection.recipient(Fixtures.recipients[0])
        let aborted = connection.abort()
        let next = connection.send(Fixtures.message)
        connection.quit()
        #expect(aborted.wasAborted)
        #expect(aborted.steps.map(\.command) == [.mail, .recipient, .abort])
        #expect(next.verdict == .accept && !next.wasAborted)
        #expect(milter.eventIDs.prefix(6) == [.optionNegotiation, .connect, .helo, .mail, .recipient, .abort])
    }
}
