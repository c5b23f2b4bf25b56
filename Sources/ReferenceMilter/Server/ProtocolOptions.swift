import MilterProtocol

/// How the server conducts the protocol, whatever the classifier.
public struct ProtocolOptions: Hashable, Sendable {
    /// The most message bytes kept for the classifier, header fields included (srmilter's `--truncate`).
    /// `nil` keeps everything up to ``maximumMessageBytes``; 0 asks the MTA not to send the body.
    /// When the header fields alone exceed it, the body is simply empty.
    public var truncate: Int?
    /// A hard cap on the bytes kept per message, whatever ``truncate`` says, so that memory stays bounded.
    public var maximumMessageBytes: Int
    /// The largest command payload accepted, checked before it is buffered.
    public var maximumFrameSize: Int
    /// What the client gets when the classifier throws or times out.
    public var failureVerdict: Verdict

    /// Creates options.
    public init(
        truncate: Int? = nil, maximumMessageBytes: Int = 64 << 20,
        maximumFrameSize: Int = MilterFrameLimits.commands.maximumPayloadLength,
        failureVerdict: Verdict = .tempfail(.sanitized(code: 451, enhancedCode: "4.3.0", text: "Try again later"))
    ) {
        self.truncate = truncate.map { max(0, $0) }
        self.maximumMessageBytes = max(0, maximumMessageBytes)
        self.maximumFrameSize = max(1, maximumFrameSize)
        self.failureVerdict = failureVerdict
    }

    /// The byte budget for the message: the smaller of the truncation limit and the hard cap.
    var messageBudget: Int { min(truncate ?? .max, maximumMessageBytes) }
}

/// Builds what the server asks for in OPTNEG from the classifier's needs.
enum NegotiationPolicy {
    /// The requirements for one offer: only the actions the classifier needs (and the MTA offers),
    /// no-event bits for what it never reads, no-reply bits for every event it does not check, and header
    /// values with their leading space.
    static func requirements(
        needs: ClassifierNeeds, options: ProtocolOptions, offer: OptionNegotiation
    ) -> MilterRequirements {
        let offered = offer.actions.isEmpty ? MilterActions.defaultWhenZero : offer.actions
        // Header values as they are in the message (the MTA would otherwise take off one space after
        // the colon, and not a tab), which also spares a copy of each value to put the space back.
        var flags: MilterProtocolFlags = [
            .noData, .noUnknown, .noEndOfHeaders, .noReplyData, .noReplyUnknown, .noReplyEndOfHeaders,
            .noReplyHeader, .headerLeadingSpace,
        ]
        let replyFlags: [EarlyStage: MilterProtocolFlags] = [
            .connect: .noReplyConnect, .helo: .noReplyHelo, .mail: .noReplyMail, .recipient: .noReplyRecipient,
        ]
        for (stage, flag) in replyFlags where !needs.earlyChecks.contains(stage) { flags.insert(flag) }
        if !needs.body || options.messageBudget == 0 {
            flags.insert(.noBody)
        } else if options.truncate == nil {
            // Past the hard cap the chunks are dropped unread; no reply round trip per chunk.
            flags.insert(.noReplyBody)
        } else {
            flags.insert(.skip)
        }
        let lists = needs.macros.sorted { $0.key.rawValue < $1.key.rawValue }.map {
            SymbolList(stage: $0.key, names: $0.value)
        }
        return MilterRequirements(
            actions: needs.actions.intersection(offered), protocolFlags: flags, symbolLists: lists)
    }

    /// Requirements for a connection refused because the server is full: nothing but a reply to CONNECT.
    static let refusing = MilterRequirements()
}
