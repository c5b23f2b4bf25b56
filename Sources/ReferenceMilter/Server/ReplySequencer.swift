import MilterProtocol

/// The milter-side sequencing rules: which command may come now, and whether a reply may go.
///
/// It refuses a reply where none is allowed (ABORT, MACRO, QUIT, an event negotiated with NR) and
/// a second final reply (srmilter's DISCARD-then-ACCEPT), and modifications outside end of message.
struct ReplySequencer {
    private enum Phase { case negotiating, ready, connectExpected }
    private var phase = Phase.negotiating
    private var agreed: NegotiatedOptions?
    private var current: MilterCommand.ID?
    /// Whether the MTA waits for a reply to the current command and none has been sent yet.
    private(set) var awaitsReply = false

    mutating func negotiated(_ options: NegotiatedOptions) {
        agreed = options
        phase = .ready
    }

    mutating func commandReceived(_ id: MilterCommand.ID) throws(MilterProtocolError) {
        guard !awaitsReply else {
            throw MilterProtocolError(.commandOutOfOrder, commandByte: id.rawValue, detail: "a reply is still due")
        }
        switch (phase, id) {
        case (.negotiating, .optionNegotiation):
            awaitsReply = true
        case (.negotiating, _):
            throw MilterProtocolError(.commandOutOfOrder, commandByte: id.rawValue, detail: "OPTNEG must come first")
        case (_, .optionNegotiation):
            throw MilterProtocolError(.optionNegotiationRepeated, commandByte: id.rawValue)
        case (.connectExpected, .macro), (.connectExpected, .quit):
            awaitsReply = false
        case (.connectExpected, .connect):
            phase = .ready
            awaitsReply = agreed?.awaitsReply(to: id) ?? true
        case (.connectExpected, _):
            throw MilterProtocolError(.connectExpected, commandByte: id.rawValue)
        case (.ready, .quitNewConnection):
            phase = .connectExpected
            awaitsReply = false
        case (.ready, _):
            awaitsReply = agreed?.awaitsReply(to: id) ?? true
        }
        current = id
    }

    mutating func replyWillBeSent(_ id: MilterReply.ID) throws(MilterProtocolError) {
        guard awaitsReply else {
            let code: MilterProtocolError.Code =
                current.map { [.macro, .abort, .quit, .quitNewConnection].contains($0) } == true
                ? .replyWhereNoneIsAllowed : .secondReply
            throw MilterProtocolError(code, commandByte: id.rawValue, detail: "no reply is due")
        }
        if id.isModification || id == .quarantine, current != .endOfMessage {
            throw MilterProtocolError(.modificationBeforeEndOfMessage, commandByte: id.rawValue)
        }
        if id.isFinal { awaitsReply = false }
    }
}
