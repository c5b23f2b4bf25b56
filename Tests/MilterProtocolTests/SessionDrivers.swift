import MilterProtocol
import NIOCore
import Testing

/// Drives an MTASession through a Postfix-shaped conversation, one line per step.
struct MTADriver {
    var session: MTASession

    init(
        rules: MTARules = .postfix, offer: OptionNegotiation = Negotiation.postfixOffer(), answer: OptionNegotiation
    )
        throws
    {
        session = MTASession(rules: rules)
        #expect(try session.commandToSend(.optionNegotiation(offer)) == .sendAndAwaitReply)
        _ = try session.replyReceived(.optionNegotiation(answer))
    }

    @discardableResult
    mutating func send(_ command: MilterCommand) throws -> MTASession.SendDecision {
        try session.commandToSend(command)
    }

    /// Sends a command that awaits a reply, then receives `reply` as its final answer.
    mutating func step(_ command: MilterCommand, _ reply: MilterReply = .continue) throws {
        #expect(try session.commandToSend(command) == .sendAndAwaitReply)
        #expect(try session.replyReceived(reply) == .final(reply))
    }

    mutating func receive(_ reply: MilterReply) throws -> MTASession.ReplyDisposition {
        try session.replyReceived(reply)
    }

    /// CONNECT, HELO, MAIL, RCPT, DATA, one header, EOH, one body chunk: all answered CONTINUE.
    mutating func openTransaction() throws {
        for command in Fixtures.openingCommands { try step(command) }
    }
}

/// Drives a MilterSession as a milter would see a Postfix conversation.
struct MilterDriver {
    var session: MilterSession

    init(
        requirements: MilterRequirements = .init(actions: .all), offer: OptionNegotiation = Negotiation.postfixOffer()
    )
        throws
    {
        session = MilterSession(requirements: requirements)
        _ = try session.commandReceived(.optionNegotiation(offer))
    }

    @discardableResult
    mutating func receive(_ command: MilterCommand) throws -> MilterSession.CommandAction {
        try session.commandReceived(command)
    }

    /// Receives an event that needs a reply and answers it.
    mutating func step(_ command: MilterCommand, _ reply: MilterReply = .continue) throws {
        #expect(try session.commandReceived(command) == .event(command, reply: .required))
        try session.replyWillBeSent(reply)
    }

    /// The same opening as ``MTADriver/openTransaction()``, from the milter's side.
    mutating func openTransaction() throws {
        for command in Fixtures.openingCommands { try step(command) }
    }
}

enum Fixtures {
    static let connect = ConnectInfo(hostname: "client.example.org", address: .inet(address: "192.0.2.1", port: 4711))
    static let answerAll = OptionNegotiation(version: .v6, actions: .all, protocolFlags: [])
    /// A transaction up to its first body chunk: CONNECT, HELO, MAIL, RCPT, DATA, a header, EOH, BODY.
    static let openingCommands: [MilterCommand] = [
        .connect(connect), .helo("mx.example.org"), .mail(EnvelopeAddress(address: "<a@example.org>")),
        .recipient(EnvelopeAddress(address: "<b@example.org>")), .data,
        .header(HeaderField(name: "Subject", value: "hi")), .endOfHeaders, .body(ByteBuffer(string: "hello\r\n")),
    ]
}

/// Expects `body` to throw a MilterProtocolError with `code`.
func expectViolation(
    _ code: MilterProtocolError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) {
    do {
        try body()
        Issue.record("expected \(code), nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as MilterProtocolError {
        #expect(error.code == code, sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected \(code), got \(error)", sourceLocation: sourceLocation)
    }
}
