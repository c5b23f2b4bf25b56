import MilterProtocol
import NIOCore

/// Plays a milter: passes each command to a ``MilterSession`` and, when a reply is due, tries
/// replies chosen by the input, as a buggy milter might. A refused command or reply ends the
/// session the way a server would close the connection, and the next command starts a new one.
struct SessionDriver {
    static let requirements = MilterRequirements(
        actions: [.addHeaders, .changeBody, .changeHeaders, .quarantine],
        protocolFlags: [.skip, .noReplyHeader, .noUnknown],
        symbolLists: [SymbolList(stage: .connect, names: ["j", "{client_addr}"])])

    /// Replies a milter might try, legal or not at the step in question.
    static let candidates: [MilterReply] = [
        .continue, .progress, .addHeader(HeaderField(name: "X-Fuzz", value: "1")), .skip,
        .replaceBody(ByteBuffer(string: "b\r\n")), .replyCode("550 5.7.1 no"), .discard, .quarantine("q"),
        .accept, .replyCode("550"), .reject, .addRecipient("<r@example.org>"), .tempfail,
        .optionNegotiation(Negotiation.postfixOffer()),
    ]

    private var session = MilterSession(requirements: requirements)
    private var turn: Int

    init(selector: Int) { turn = selector }

    mutating func receive(_ command: MilterCommand) {
        do {
            switch try session.commandReceived(command) {
            case .event(_, reply: .required), .negotiate: try answer()
            case .event(_, reply: .automaticContinue): try session.replyWillBeSent(.continue)
            case .event(_, reply: .none), .macros, .abort, .newConnection: break
            case .quit: restart()
            }
        } catch {
            _ = String(describing: error)
            restart()
        }
    }

    /// Sends candidate replies until one is final and accepted; CONTINUE ends a refused attempt.
    private mutating func answer() throws(MilterProtocolError) {
        for _ in 0..<4 where session.owed != nil {
            let reply = Self.candidates[turn % Self.candidates.count]
            turn &+= 1
            do { try session.replyWillBeSent(reply) } catch { _ = String(describing: error) }
        }
        if session.owed != nil { try session.replyWillBeSent(.continue) }
    }

    private mutating func restart() { session = MilterSession(requirements: Self.requirements) }
}
