import MilterClient
import MilterProtocol
import MilterTestSupport
import NIOCore
import Testing

/// A milter that negotiates NR_HDR and answers each HEADER anyway: the MTA writes the headers and EOH at once, EOH
/// takes the first of those answers, and the rest are found before BODY goes. The finding is laid to HEADER, as a
/// wait right after the headers finds it, not to the command it was found before.
@Suite struct NoReplyStrayTests {
    /// Walks a message through `profile`'s machine, the milter answering every awaited step with CONTINUE; before
    /// the write whose frames hold `strayAt`, `strays` are found waiting. Returns the transaction's result.
    static func run(
        _ profile: MTAProfile, flags: MilterProtocolFlags, strays: [MilterReply], strayAt: MilterCommand.ID?
    ) -> TransactionResult? {
        var m = MTAConnectionStateMachine(configuration: Fixtures.configuration(profile: profile), client: SMTPClient())
        return run(&m, flags: flags, strays: strays, strayAt: strayAt)
    }

    static func run(
        _ m: inout MTAConnectionStateMachine, flags: MilterProtocolFlags, strays: [MilterReply],
        strayAt: MilterCommand.ID?
    ) -> TransactionResult? {
        var action = m.negotiationRequested()
        var negotiated = false
        var connected = false
        var strayFound = false
        for _ in 0..<200 {
            switch action {
            case .write(let frames):
                let ids = Self.commandIDs(frames)
                if !strayFound, let strayAt, ids.contains(strayAt) {
                    strayFound = true
                    action = m.strayRepliesFound(strays)
                } else {
                    action = m.written()
                }
            case .wait:
                action = m.eventReceived(.reply(negotiated ? .continue : Scripts.answer(flags: flags)))
                negotiated = true
            case .close: action = m.closed()
            case .deliverStep:
                guard !connected else { return nil }
                connected = true
                action = m.connectRequested()
                if case .deliverStep = action { return nil }
                action = Self.afterConnect(&m, action)
            case .deliverTransaction(let result): return result
            case .deliverFinding: return nil
            }
        }
        return nil
    }

    /// Carries CONNECT to its end, then asks for the message.
    private static func afterConnect(
        _ m: inout MTAConnectionStateMachine, _ first: MTAConnectionStateMachine.Action
    ) -> MTAConnectionStateMachine.Action {
        var action = first
        while true {
            switch action {
            case .write: action = m.written()
            case .wait: action = m.eventReceived(.reply(.continue))
            default: return m.messageRequested(Fixtures.message)
            }
        }
    }

    static func commandIDs(_ frames: ByteBuffer) -> [MilterCommand.ID] {
        var bytes = frames
        var decoder = MilterCommandDecoder()
        var ids: [MilterCommand.ID] = []
        while let command = try? decoder.decode(buffer: &bytes) { ids.append(command.id) }
        return ids
    }

    @Test(arguments: [MTAProfile.postfix, .sendmail])
    func repliesToHeadersNegotiatedWithoutReplyAreLaidToHeader(profile: MTAProfile) throws {
        let result = try #require(
            Self.run(profile, flags: [.noReplyHeader], strays: [.continue, .continue, .continue], strayAt: .body))
        let finding = try #require(result.findings.first)
        #expect(finding.code == "replyDespiteNoReply")
        #expect(finding.step == .header)
        #expect("\(finding)".contains("after HEADER, negotiated without reply"), "\(finding)")
    }

    /// NR for the headers and EOH: a reply found waiting before BODY names them as sent without a reply since the
    /// milter's last one (``Finding/sentWithoutReply``), as a step's finding does; BODY, which never went, is not
    /// among them.
    @Test func aStrayReplyFoundBeforeACommandNamesTheCommandsSentWithoutReply() throws {
        let result = try #require(
            Self.run(.postfix, flags: [.noReplyHeader, .noReplyEndOfHeaders], strays: [.continue], strayAt: .body))
        let finding = try #require(result.findings.first)
        #expect(finding.code == "replyDespiteNoReply")
        #expect(finding.step == .endOfHeaders)
        typealias Run = Finding.SentWithoutReply.Run
        #expect(finding.sentWithoutReply.runs == [Run(command: .header, count: 4), Run(command: .endOfHeaders)])
        #expect(
            "\(finding)".hasSuffix("(sent without a reply since the milter's last one: HEADER×4, EOH)"), "\(finding)")
    }

    /// Without an event negotiated without reply, a reply before BODY stays an unsolicited one there.
    @Test func aStrayReplyWithoutSuchAnEventIsStillUnsolicited() throws {
        let result = try #require(Self.run(.postfix, flags: [], strays: [.continue], strayAt: .body))
        let finding = try #require(result.findings.first)
        #expect(finding.code == "unsolicitedReply")
        #expect(finding.step == .endOfHeaders)
    }

    /// A reply found after end of message answers that or a later command, not the headers.
    @Test func aStrayReplyAfterEndOfMessageIsNotLaidToTheHeaders() throws {
        var m = MTAConnectionStateMachine(configuration: Fixtures.configuration(), client: SMTPClient())
        let result = try #require(Self.run(&m, flags: [.noReplyHeader], strays: [], strayAt: nil))
        #expect(result.findings.isEmpty)
        #expect(m.quitRequested().text == "write Q")
        #expect(m.strayRepliesFound([.accept]).text == "close")
        // Judged as MTASession judges it: a reply after ABORT, Postfix's last command.
        #expect(m.closed().text == "finding replyToNoReplyCommand")
        #expect(m.connectionFindings.first?.step == .abort)
    }
}
