import MilterProtocol
import Testing

/// What each side offers and answers in OPTNEG, with libmilter's and Postfix's rules.
@Suite struct MilterAnswerTests {
    private func offer(_ version: UInt32, actions: UInt32 = 0x1FF, flags: UInt32) -> OptionNegotiation {
        OptionNegotiation(
            version: MilterVersion(rawValue: version), actions: MilterActions(rawValue: actions),
            protocolFlags: MilterProtocolFlags(rawValue: flags))
    }

    @Test(
        arguments: [(MilterVersion.v2, 0x7F), (.v3, 0x17F), (.v4, 0x37F), (.v6, 0x1F_FFFF)] as [(MilterVersion, UInt32)]
    )
    func postfixOffersPerVersion(_ version: MilterVersion, _ mask: UInt32) {
        let offer = Negotiation.postfixOffer(version: version)
        #expect(offer.version == version)
        #expect(offer.actions.rawValue == 0x1FF)
        #expect(offer.protocolFlags.rawValue == mask)
        #expect(offer.symbolLists.isEmpty)
    }

    @Test(arguments: [(6, 6, 6), (6, 2, 2), (4, 6, 4), (3, 6, 3), (2, 6, 2), (7, 6, 6)] as [(UInt32, UInt32, UInt32)])
    func answerIsTheLowerVersion(_ offered: UInt32, _ wanted: UInt32, _ answered: UInt32) throws {
        let requirements = MilterRequirements(maximumVersion: MilterVersion(rawValue: wanted))
        let result = try Negotiation.milterAnswer(to: offer(offered, flags: 0x7F), wanting: requirements)
        #expect(result.answer.version.rawValue == answered)
        #expect(result.agreed.version.rawValue == answered)
    }

    @Test(arguments: [0, 1] as [UInt32])
    func versionsBelow2AreRefused(_ version: UInt32) {
        let error = capturedError {
            _ = try Negotiation.milterAnswer(to: offer(version, flags: 0x7F), wanting: .init())
        }
        #expect(error?.code == .unsupportedVersion)
    }

    /// libmilter reads an offer of 0 actions as SMFI_V1_ACTS (0x0F).
    @Test func zeroActionsOfferedMeans0x0F() throws {
        let fits = MilterRequirements(actions: [.addHeaders, .changeBody, .addRecipients, .deleteRecipients])
        #expect(
            try Negotiation.milterAnswer(to: offer(6, actions: 0, flags: 0x7F), wanting: fits).answer.actions.rawValue
                == 0x0F)
        let tooMuch = MilterRequirements(actions: [.changeHeaders])
        let error = capturedError {
            _ = try Negotiation.milterAnswer(to: offer(6, actions: 0, flags: 0x7F), wanting: tooMuch)
        }
        #expect(error?.code == .actionsNotOffered)
    }

    /// libmilter reads an offer of 0 protocol bits as SMFI_V1_PROT (0x3F).
    @Test func zeroProtocolOfferedMeans0x3F() throws {
        let wanted: MilterProtocolFlags = [.noConnect, .noEndOfHeaders, .noReplyHeader]
        let result = try Negotiation.milterAnswer(
            to: offer(6, flags: 0), wanting: MilterRequirements(protocolFlags: wanted))
        #expect(result.answer.protocolFlags == [.noConnect])
        #expect(result.agreed.unofferedFlags == [.noEndOfHeaders, .noReplyHeader])
    }

    /// Pitfall 20: the internal bits 0x70000000, MDS included, never reach the answer.
    @Test(arguments: [0x7000_0000, 0x1000_0000, 0x2000_0000, 0x4000_0000] as [UInt32])
    func internalBitsAreMasked(_ bits: UInt32) throws {
        let requirements = MilterRequirements(protocolFlags: MilterProtocolFlags(rawValue: bits | 0x1))
        let result = try Negotiation.milterAnswer(to: offer(6, flags: 0x1F_FFFF | bits), wanting: requirements)
        #expect(result.answer.protocolFlags.rawValue == 0x1)
        #expect(result.agreed.protocolFlags.rawValue & 0x7000_0000 == 0)
        #expect(result.agreed.maximumDataSize == 65535)
    }

    /// A v2 MTA offers 0x7F: no NR bit at all, so the milter must send CONTINUE itself.
    @Test func unofferedNoReplyBitsAreReported() throws {
        let wanted: MilterProtocolFlags = [.noConnect, .noReplyConnect, .noReplyHeader, .noReplyBody]
        let result = try Negotiation.milterAnswer(
            to: offer(2, flags: 0x7F), wanting: MilterRequirements(protocolFlags: wanted))
        #expect(result.answer.protocolFlags == [.noConnect])
        #expect(result.agreed.unofferedFlags == [.noReplyConnect, .noReplyHeader, .noReplyBody])
        #expect(result.agreed.awaitsReply(to: .header) == true)
        let v6 = try Negotiation.milterAnswer(
            to: offer(6, flags: 0x1F_FFFF), wanting: MilterRequirements(protocolFlags: wanted))
        #expect(v6.answer.protocolFlags == wanted)
        #expect(v6.agreed.unofferedFlags.isEmpty)
        #expect(v6.agreed.awaitsReply(to: .header) == false)
    }

    @Test func requiredActionNotOfferedFails() {
        let requirements = MilterRequirements(actions: [.changeSender])
        let error = capturedError {
            _ = try Negotiation.milterAnswer(to: offer(6, actions: 0x3F, flags: 0x1F_FFFF), wanting: requirements)
        }
        #expect(error?.code == .actionsNotOffered)
    }

    @Test(arguments: [(MilterVersion.v6, true), (.v4, false), (.v3, false), (.v2, false)] as [(MilterVersion, Bool)])
    func symbolListsOnlyForVersion6(_ version: MilterVersion, _ sent: Bool) throws {
        let lists = [SymbolList(stage: .endOfMessage, names: ["{msg_id}"])]
        let result = try Negotiation.milterAnswer(
            to: Negotiation.postfixOffer(version: version), wanting: MilterRequirements(symbolLists: lists))
        #expect(result.answer.symbolLists == (sent ? lists : []))
        #expect(result.answer.actions.contains(.setSymbolList) == sent)
        #expect(result.agreed.symbolList(for: .endOfMessage) == (sent ? ["{msg_id}"] : nil))
    }

    /// Names are split on commas and white space, as Postfix (`CHARS_COMMA_SP`) and Sendmail split them.
    @Test func symbolListNamesSplitOnCommasAndWhiteSpace() {
        let list = SymbolList(stage: .mail, macros: "{auth_type},{auth_authen} i\t{mail_addr}\r\n, j")
        #expect(list.names == ["{auth_type}", "{auth_authen}", "i", "{mail_addr}", "j"])
        #expect(SymbolList(stage: .mail, macros: "").names.isEmpty)
    }

    @Test func symbolListsNeedSetSymListOffered() {
        let requirements = MilterRequirements(symbolLists: [SymbolList(stage: .connect, names: ["j"])])
        let error = capturedError {
            _ = try Negotiation.milterAnswer(to: offer(6, actions: 0xFF, flags: 0x1F_FFFF), wanting: requirements)
        }
        #expect(error?.code == .actionsNotOffered)
    }

    /// Bits of a later version are not agreed with an older MTA (pitfall 15).
    @Test func laterVersionBitsAreDropped() throws {
        let wanted: MilterProtocolFlags = [.noData, .noUnknown, .skip, .headerLeadingSpace]
        let result = try Negotiation.milterAnswer(
            to: Negotiation.postfixOffer(version: .v3), wanting: .init(protocolFlags: wanted))
        #expect(result.answer.protocolFlags == [.noUnknown])
        #expect(result.agreed.unofferedFlags == [.noData, .skip, .headerLeadingSpace])
    }
}
