import MilterClient
import MilterProtocol

/// One milter connection of a scenario: the offer, the macros, and the steps in order.
package struct ScenarioSession: Sendable {
    /// The OPTNEG offer and what the milter must ask for.
    package var negotiation: NegotiationSpec
    /// Macro values per event that replace or add to the MTA profile's (`macros:`).
    package var macros: [MacroEvent: [(name: String, value: String)]]
    /// The steps, in order.
    package var steps: [ScenarioStep]
    /// Where the session starts.
    package var location: ScenarioLocation

    package init(
        negotiation: NegotiationSpec = NegotiationSpec(), macros: [MacroEvent: [(name: String, value: String)]] = [:],
        steps: [ScenarioStep], location: ScenarioLocation
    ) {
        self.negotiation = negotiation
        self.macros = macros
        self.steps = steps
        self.location = location
    }
}

/// The OPTNEG offer (`negotiate:`); what is not given is the MTA profile's offer for the version.
package struct NegotiationSpec: Hashable, Sendable {
    /// The version offered: 2, 3, 4 or 6, or any other number for an odd offer.
    package var version: MilterVersion
    /// The actions offered; `nil` for the profile's.
    package var actions: MilterActions?
    /// The protocol flags offered; `nil` for the profile's.
    package var protocolFlags: MilterProtocolFlags?
    /// What the milter's OPTNEG reply must say.
    package var expectation: NegotiationExpectation?
    /// Where `negotiate:` is, or the session's start.
    package var location: ScenarioLocation?

    package init(
        version: MilterVersion = .v6, actions: MilterActions? = nil, protocolFlags: MilterProtocolFlags? = nil,
        expectation: NegotiationExpectation? = nil, location: ScenarioLocation? = nil
    ) {
        self.version = version
        self.actions = actions
        self.protocolFlags = protocolFlags
        self.expectation = expectation
        self.location = location
    }

    /// The offer as sent under `profile`.
    package func offer(profile: MTAProfile) -> OptionNegotiation {
        var offer = profile.offer(version: version)
        offer.version = version
        if let actions { offer.actions = actions }
        if let protocolFlags { offer.protocolFlags = protocolFlags }
        return offer
    }
}

/// What the milter asked for in its OPTNEG reply (`negotiate: expect:`). The sets are checked
/// against the reply as sent, before the MTA masks it with its offer.
package struct NegotiationExpectation: Hashable, Sendable {
    /// The version the milter answers with.
    package var version: MilterVersion?
    /// Actions the milter must ask for.
    package var actionsInclude: MilterActions = []
    /// Actions the milter must not ask for.
    package var actionsExclude: MilterActions = []
    /// Protocol flags the milter must ask for.
    package var protocolInclude: MilterProtocolFlags = []
    /// Protocol flags the milter must not ask for.
    package var protocolExclude: MilterProtocolFlags = []
    /// The symbol list the milter must send per stage (names in order, space-separated on the wire).
    package var symbolLists: [MacroStage: [String]] = [:]
    /// Whether the milter must refuse the offer (close, or answer so that no session can go on).
    package var refused: Bool?
    /// Where `expect:` is.
    package var location: ScenarioLocation

    package init(location: ScenarioLocation) { self.location = location }
}
