import NIOCore

extension MilterCommand {
    /// Decodes a command from a frame.
    public init(frame: MilterFrame) throws(MilterProtocolError) {
        guard let id = ID(rawValue: frame.command) else {
            throw MilterProtocolError(
                .unknownCommand, commandByte: frame.command, excerpt: Redaction.excerpt(frame.payload.readableBytesView)
            )
        }
        var payload = frame.payload
        do {
            self = try Self.decode(id, from: &payload)
        } catch {
            throw error.at(offset: nil, commandByte: frame.command)
        }
    }

    private static func decode(_ id: ID, from payload: inout ByteBuffer) throws(MilterProtocolError) -> MilterCommand {
        switch id {
        case .optionNegotiation: return .optionNegotiation(try payload.readOptionNegotiation(allowSymbolLists: false))
        case .macro: return .macro(try payload.readMacroDefinition())
        case .connect: return .connect(try payload.readConnectInfo())
        case .helo: return .helo(try payload.readSingleString("HELO"))
        case .mail: return .mail(try payload.readEnvelopeAddress())
        case .recipient: return .recipient(try payload.readEnvelopeAddress())
        case .header: return .header(try payload.readHeaderField())
        case .body: return .body(payload)
        case .endOfMessage: return .endOfMessage(payload)
        case .unknown: return .unknown(try payload.readSingleString("UNKNOWN"))
        case .data, .endOfHeaders, .abort, .quit, .quitNewConnection:
            try payload.expectEmpty(id.description)
            return try emptyCommand(id)
        }
    }

    private static func emptyCommand(_ id: ID) throws(MilterProtocolError) -> MilterCommand {
        switch id {
        case .data: return .data
        case .endOfHeaders: return .endOfHeaders
        case .abort: return .abort
        case .quit: return .quit
        case .quitNewConnection: return .quitNewConnection
        default: throw MilterProtocolError(.malformedPayload, detail: "\(id) is not an empty command")
        }
    }

    /// Writes this command's payload (without the frame header).
    public func writePayload(into buffer: inout ByteBuffer) throws(MilterProtocolError) {
        switch self {
        case .optionNegotiation(let negotiation):
            guard negotiation.symbolLists.isEmpty else {
                throw MilterProtocolError(.malformedPayload, detail: "the OPTNEG command carries no symbol lists")
            }
            try buffer.writeOptionNegotiation(negotiation)
        case .macro(let definition): try buffer.writeMacroDefinition(definition)
        case .connect(let info): try buffer.writeConnectInfo(info)
        case .helo(let text), .unknown(let text): try buffer.writeMilterString(text)
        case .mail(let envelope), .recipient(let envelope): try buffer.writeEnvelopeAddress(envelope)
        case .header(let field): try buffer.writeHeaderField(field)
        case .body(var bytes), .endOfMessage(var bytes): buffer.writeBuffer(&bytes)
        case .data, .endOfHeaders, .abort, .quit, .quitNewConnection: break
        }
    }
}

extension ByteBuffer {
    @usableFromInline
    mutating func readSingleString(_ what: String) throws(MilterProtocolError) -> MilterString {
        let text = try readMilterString()
        try expectEmpty("\(what) after its string")
        return text
    }
}
