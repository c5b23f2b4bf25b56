/// The negotiation rules of both sides.
///
/// The MTA sends an offer (``postfixOffer(version:)``); the milter answers
/// (``milterAnswer(to:wanting:)``), and the MTA checks the answer (``mtaAgreement(offer:answer:)``).
public enum Negotiation {
    /// What Postfix offers when configured for a version: actions 0x1FF always, and the protocol
    /// mask of that version (v2 0x7F, v3 0x17F, v4 0x37F, v6 0x1FFFFF).
    public static func postfixOffer(version: MilterVersion = .v6) -> OptionNegotiation {
        OptionNegotiation(version: version, actions: .all, protocolFlags: version.postfixProtocolMask)
    }

    /// What Sendmail 8.14+ offers: version 6, every action, every protocol bit.
    public static func sendmailOffer(version: MilterVersion = .v6) -> OptionNegotiation {
        let actions: MilterActions = version.hasVersion6Features ? .all : .version2
        return OptionNegotiation(version: version, actions: actions, protocolFlags: version.postfixProtocolMask)
    }

    /// The milter's answer to an offer, with libmilter's rules: version `min(offered, wanted)` and
    /// never below 2; an offer of 0 actions means 0x0F and of 0 protocol bits 0x3F; internal bits
    /// are masked; wanted bits the offer lacks are left out of the answer and reported in
    /// ``NegotiatedOptions/unofferedFlags``; required actions that are not offered fail.
    public static func milterAnswer(
        to offer: OptionNegotiation, wanting requirements: MilterRequirements
    ) throws(MilterProtocolError) -> (answer: OptionNegotiation, agreed: NegotiatedOptions) {
        guard offer.version >= .v2 else {
            throw MilterProtocolError(.unsupportedVersion, detail: "the MTA offers version \(offer.version)")
        }
        let version = min(offer.version, requirements.maximumVersion)
        let offeredActions = offer.actions.isEmpty ? MilterActions.defaultWhenZero : offer.actions
        var wantedActions = requirements.actions
        if !requirements.symbolLists.isEmpty && version.hasVersion6Features { wantedActions.insert(.setSymbolList) }
        guard offeredActions.isSuperset(of: wantedActions) else {
            throw MilterProtocolError(
                .actionsNotOffered,
                detail:
                    "the milter needs \(wantedActions.subtracting(offeredActions)) but the MTA offers \(offeredActions)"
            )
        }
        let offeredFlags = (offer.protocolFlags.isEmpty ? .defaultWhenZero : offer.protocolFlags)
            .subtracting(.internalBits)
        let wanted = requirements.protocolFlags.subtracting(.internalBits)
        let agreedFlags = wanted.intersection(offeredFlags).intersection(version.protocolMaskWithDataSize)
        let lists = version.hasVersion6Features ? requirements.symbolLists : []
        let answer = OptionNegotiation(
            version: version, actions: wantedActions, protocolFlags: agreedFlags, symbolLists: lists)
        let agreed = NegotiatedOptions(
            version: version, actions: wantedActions, protocolFlags: agreedFlags, symbolLists: lists,
            unofferedFlags: wanted.subtracting(agreedFlags))
        return (answer, agreed)
    }

    /// Whether `offer` lets the milter answer SKIP under the agreed `version`: the MTA offered
    /// SMFIP_SKIP (a zero mask stands for the defaults, which lack it), and the version has it.
    public static func offersSkip(_ offer: OptionNegotiation, version: MilterVersion) -> Bool {
        let offered = offer.protocolFlags.isEmpty ? MilterProtocolFlags.defaultWhenZero : offer.protocolFlags
        return offered.contains(.skip) && version.protocolMaskWithDataSize.contains(.skip)
    }

    /// The MTA's check of a milter's answer, with Postfix's rules: a version above the offer or
    /// below 2, or actions outside the offer, fail. Protocol bits outside the offer are kept, as
    /// Postfix keeps them (it honours an NR bit it never offered), and returned as warnings.
    /// Events of later versions are not sent (see ``NegotiatedOptions/sends(_:)``).
    public static func mtaAgreement(
        offer: OptionNegotiation, answer: OptionNegotiation
    ) throws(MilterProtocolError) -> (agreed: NegotiatedOptions, warnings: [MilterProtocolError]) {
        guard answer.version <= offer.version else {
            throw MilterProtocolError(
                .versionAboveOffer,
                detail: "the milter answers version \(answer.version) to an offer of \(offer.version)")
        }
        guard answer.version >= .v2 else {
            throw MilterProtocolError(.unsupportedVersion, detail: "the milter answers version \(answer.version)")
        }
        guard offer.actions.isSuperset(of: answer.actions) else {
            throw MilterProtocolError(
                .actionsNotOffered,
                detail: "the milter asks for \(answer.actions.subtracting(offer.actions)), not offered")
        }
        var warnings: [MilterProtocolError] = []
        let flags = answer.protocolFlags.subtracting(.internalBits)
        let extra = flags.subtracting(offer.protocolFlags)
        if !extra.isEmpty {
            warnings.append(
                MilterProtocolError(.protocolNotOffered, detail: "the milter asks for \(extra), not offered"))
        }
        for list in answer.symbolLists where !list.stage.isKnown {
            warnings.append(MilterProtocolError(.malformedPayload, detail: "symbol list for unknown \(list.stage)"))
        }
        let agreed = NegotiatedOptions(
            version: answer.version, actions: answer.actions,
            protocolFlags: flags,
            symbolLists: answer.symbolLists.filter { $0.stage.isKnown })
        return (agreed, warnings)
    }
}

/// What a milter wants from negotiation.
public struct MilterRequirements: Hashable, Sendable {
    /// The highest version the milter speaks.
    public var maximumVersion: MilterVersion
    /// The actions it needs; negotiation fails if the MTA does not offer them all.
    public var actions: MilterActions
    /// The protocol bits it would like: NO and NR bits, SKIP, HDR_LEADSPC, MDS.
    public var protocolFlags: MilterProtocolFlags
    /// The macros it wants per stage (version 6).
    public var symbolLists: [SymbolList]

    /// Creates requirements.
    public init(
        maximumVersion: MilterVersion = .v6, actions: MilterActions = [], protocolFlags: MilterProtocolFlags = [],
        symbolLists: [SymbolList] = []
    ) {
        self.maximumVersion = maximumVersion
        self.actions = actions
        self.protocolFlags = protocolFlags
        self.symbolLists = symbolLists
    }
}

extension MilterVersion {
    /// The version's protocol bits plus the data-size bits, which any version may carry.
    var protocolMaskWithDataSize: MilterProtocolFlags { postfixProtocolMask.union(.maximumDataSizeBits) }
}
