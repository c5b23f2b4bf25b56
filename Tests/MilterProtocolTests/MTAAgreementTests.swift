import MilterProtocol
import Testing

/// The MTA's check of a milter's OPTNEG answer, with Postfix's rules.
@Suite struct MTAAgreementTests {
    private func answer(
        _ version: UInt32, actions: UInt32 = 0, flags: UInt32 = 0, lists: [SymbolList] = []
    )
        -> OptionNegotiation
    {
        OptionNegotiation(
            version: MilterVersion(rawValue: version), actions: MilterActions(rawValue: actions),
            protocolFlags: MilterProtocolFlags(rawValue: flags), symbolLists: lists)
    }

    @Test func versionAboveTheOfferIsRefused() {
        let error = capturedError {
            _ = try Negotiation.mtaAgreement(offer: Negotiation.postfixOffer(version: .v4), answer: answer(6))
        }
        #expect(error?.code == .versionAboveOffer)
    }

    @Test(arguments: [0, 1] as [UInt32])
    func versionBelow2IsRefused(_ version: UInt32) {
        let error = capturedError {
            _ = try Negotiation.mtaAgreement(offer: Negotiation.postfixOffer(), answer: answer(version))
        }
        #expect(error?.code == .unsupportedVersion)
    }

    @Test func actionsOutsideTheOfferAreRefused() {
        let offer = OptionNegotiation(version: .v6, actions: .version2, protocolFlags: .all)
        let error = capturedError { _ = try Negotiation.mtaAgreement(offer: offer, answer: answer(6, actions: 0x40)) }
        #expect(error?.code == .actionsNotOffered)
        let beyondAll = capturedError {
            _ = try Negotiation.mtaAgreement(offer: Negotiation.postfixOffer(), answer: answer(6, actions: 0x200))
        }
        #expect(beyondAll?.code == .actionsNotOffered)
    }

    /// Postfix honours an NR bit it never offered; the agreement keeps it and warns.
    @Test func protocolBitsOutsideTheOfferAreKeptWithAWarning() throws {
        let result = try Negotiation.mtaAgreement(
            offer: Negotiation.postfixOffer(version: .v2), answer: answer(2, flags: 0x1000 | 0x1))
        #expect(result.agreed.protocolFlags == [.noReplyConnect, .noConnect])
        #expect(result.warnings.map(\.code) == [.protocolNotOffered])
        #expect(result.agreed.awaitsReply(to: .connect) == false)
    }

    @Test func internalBitsInTheAnswerAreMasked() throws {
        let result = try Negotiation.mtaAgreement(
            offer: Negotiation.postfixOffer(), answer: answer(6, flags: 0x7000_0002))
        #expect(result.agreed.protocolFlags == [.noHelo])
        #expect(result.warnings.isEmpty)
    }

    @Test func symbolListsForUnknownStagesAreDroppedWithAWarning() throws {
        let lists = [
            SymbolList(stage: MacroStage(rawValue: 9), macros: "x"), SymbolList(stage: .endOfHeaders, macros: "i"),
        ]
        let result = try Negotiation.mtaAgreement(
            offer: Negotiation.postfixOffer(), answer: answer(6, actions: 0x100, lists: lists))
        #expect(result.agreed.symbolLists == [SymbolList(stage: .endOfHeaders, macros: "i")])
        #expect(result.warnings.map(\.code) == [.malformedPayload])
    }

    @Test func aLowerVersionAnswerStopsThatVersionsEvents() throws {
        let result = try Negotiation.mtaAgreement(offer: Negotiation.postfixOffer(), answer: answer(2))
        #expect(result.agreed.version == .v2)
        #expect(!result.agreed.sends(.data))
        #expect(!result.agreed.sends(.unknown))
        #expect(!result.agreed.sends(.quitNewConnection))
    }
}

/// What the MTA sends and waits for under an agreement.
@Suite struct NegotiatedOptionsTests {
    private func options(_ version: MilterVersion, _ flags: MilterProtocolFlags = []) -> NegotiatedOptions {
        NegotiatedOptions(version: version, actions: [], protocolFlags: flags)
    }

    /// DATA exists from v4, UNKNOWN from v3, QUIT_NC in v6 (pitfall 15).
    @Test(
        arguments: [
            (MilterVersion.v2, false, false, false), (.v3, false, true, false), (.v4, true, true, false),
            (.v6, true, true, true),
        ] as [(MilterVersion, Bool, Bool, Bool)])
    func eventsPerVersion(_ version: MilterVersion, _ data: Bool, _ unknown: Bool, _ quitNC: Bool) {
        let agreed = options(version)
        #expect(agreed.sends(.data) == data)
        #expect(agreed.sends(.unknown) == unknown)
        #expect(agreed.sends(.quitNewConnection) == quitNC)
        for always in [
            MilterCommand.ID.connect, .helo, .mail, .recipient, .header, .endOfHeaders, .body, .endOfMessage,
        ] {
            #expect(agreed.sends(always))
        }
    }

    @Test(
        arguments: [
            (MilterCommand.ID.connect, MilterProtocolFlags.noConnect), (.helo, .noHelo), (.mail, .noMail),
            (.recipient, .noRecipient), (.header, .noHeaders), (.endOfHeaders, .noEndOfHeaders), (.body, .noBody),
            (.data, .noData), (.unknown, .noUnknown),
        ] as [(MilterCommand.ID, MilterProtocolFlags)])
    func noFlagsStopEvents(_ command: MilterCommand.ID, _ flag: MilterProtocolFlags) {
        #expect(options(.v6).sends(command))
        #expect(!options(.v6, flag).sends(command))
        #expect(options(.v6, MilterProtocolFlags.noEvents.subtracting(flag)).sends(command))
    }

    @Test(
        arguments: [
            (MilterCommand.ID.connect, MilterProtocolFlags.noReplyConnect), (.helo, .noReplyHelo),
            (.mail, .noReplyMail),
            (.recipient, .noReplyRecipient), (.data, .noReplyData), (.unknown, .noReplyUnknown),
            (.header, .noReplyHeader),
            (.endOfHeaders, .noReplyEndOfHeaders), (.body, .noReplyBody),
        ] as [(MilterCommand.ID, MilterProtocolFlags)])
    func noReplyFlagsStopReplies(_ command: MilterCommand.ID, _ flag: MilterProtocolFlags) {
        #expect(options(.v6).awaitsReply(to: command))
        #expect(!options(.v6, flag).awaitsReply(to: command))
        #expect(options(.v6, MilterProtocolFlags.noReplies.subtracting(flag)).awaitsReply(to: command))
    }

    /// Pitfall 1: ABORT, MACRO and QUIT take no reply; OPTNEG and EOM always do.
    @Test(arguments: MilterCommand.ID.allCases)
    func repliesWithEveryFlagSet(_ command: MilterCommand.ID) {
        let silent: Set<MilterCommand.ID> = [.macro, .abort, .quit, .quitNewConnection]
        let agreed = options(.v6, .noReplies)
        let expected = !silent.contains(command) && (command == .optionNegotiation || command == .endOfMessage)
        #expect(agreed.awaitsReply(to: command) == expected)
        #expect(options(.v6).awaitsReply(to: command) == !silent.contains(command))
    }

    @Test(
        arguments: [(0, 65535), (0x1000_0000, 262_143), (0x2000_0000, 1_048_575), (0x3000_0000, 1_048_575)]
            as [(UInt32, Int)])
    func maximumDataSizeFollowsMDSBits(_ bits: UInt32, _ size: Int) {
        #expect(options(.v6, MilterProtocolFlags(rawValue: bits)).maximumDataSize == size)
    }
}
