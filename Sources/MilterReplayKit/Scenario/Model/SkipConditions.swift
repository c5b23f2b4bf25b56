import MilterProtocol

/// What a case needs from the negotiation to mean anything; it is skipped, with the reason,
/// when the milter did not ask for it (`skip-unless:`).
package struct SkipConditions: Hashable, Sendable {
    /// Actions that must all be in force (asked for by the milter and offered).
    package var actions: MilterActions = []
    /// Protocol flags that must all be in force.
    package var protocolFlags: MilterProtocolFlags = []
    /// Protocol flags none of which may be in force (`NOHDRS` for a case about headers).
    package var absentProtocolFlags: MilterProtocolFlags = []
    /// The lowest negotiated version.
    package var minimumVersion: MilterVersion?

    package init(
        actions: MilterActions = [], protocolFlags: MilterProtocolFlags = [],
        absentProtocolFlags: MilterProtocolFlags = [], minimumVersion: MilterVersion? = nil
    ) {
        self.actions = actions
        self.protocolFlags = protocolFlags
        self.absentProtocolFlags = absentProtocolFlags
        self.minimumVersion = minimumVersion
    }

    /// Whether there is no condition.
    package var isEmpty: Bool {
        actions.isEmpty && protocolFlags.isEmpty && absentProtocolFlags.isEmpty && minimumVersion == nil
    }

    /// Why the case is skipped under `options`, or `nil` when it runs.
    package func skipReason(under options: NegotiatedOptions) -> String? {
        let missingActions = actions.subtracting(options.actions)
        if !missingActions.isEmpty { return "needs action \(missingActions) negotiated (got \(options.actions))" }
        let missingFlags = protocolFlags.subtracting(options.protocolFlags)
        if !missingFlags.isEmpty {
            return "needs protocol flag \(missingFlags) negotiated (got \(options.protocolFlags))"
        }
        let present = absentProtocolFlags.intersection(options.protocolFlags)
        if !present.isEmpty { return "needs protocol flag \(present) not negotiated" }
        if let minimumVersion, options.version < minimumVersion {
            return "needs version \(minimumVersion.rawValue) or later (negotiated \(options.version.rawValue))"
        }
        return nil
    }
}
