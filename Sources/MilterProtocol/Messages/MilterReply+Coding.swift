import NIOCore

extension MilterReply {
    /// Decodes a reply from a frame.
    public init(frame: MilterFrame) throws(MilterProtocolError) {
        guard let id = ID(rawValue: frame.command) else {
            throw MilterProtocolError(
                .unknownReply, commandByte: frame.command, excerpt: Redaction.excerpt(frame.payload.readableBytesView))
        }
        var payload = frame.payload
        do {
            self = try Self.decode(id, from: &payload)
        } catch {
            throw error.at(offset: nil, commandByte: frame.command)
        }
    }

    private static func decode(_ id: ID, from payload: inout ByteBuffer) throws(MilterProtocolError) -> MilterReply {
        switch id {
        case .optionNegotiation: return .optionNegotiation(try payload.readOptionNegotiation(allowSymbolLists: true))
        case .replyCode: return .replyCode(try payload.readReplyCodeText())
        case .addRecipient: return .addRecipient(try payload.readSingleString("ADDRCPT"))
        case .deleteRecipient: return .deleteRecipient(try payload.readSingleString("DELRCPT"))
        case .quarantine: return .quarantine(try payload.readSingleString("QUARANTINE"))
        case .addRecipientWithArguments: return .addRecipientWithArguments(try payload.readEnvelopeChange())
        case .changeSender: return .changeSender(try payload.readEnvelopeChange())
        case .replaceBody: return .replaceBody(payload)
        case .addHeader: return .addHeader(try payload.readHeaderField())
        case .insertHeader: return .insertHeader(try payload.readIndexedHeaderField())
        case .changeHeader: return .changeHeader(try payload.readIndexedHeaderField())
        default:
            try payload.expectEmpty(id.description)
            return try emptyReply(id)
        }
    }

    private static func emptyReply(_ id: ID) throws(MilterProtocolError) -> MilterReply {
        switch id {
        case .continue: return .continue
        case .accept: return .accept
        case .reject: return .reject
        case .tempfail: return .tempfail
        case .discard: return .discard
        case .skip: return .skip
        case .progress: return .progress
        case .shutdown: return .shutdown
        case .connectionFailure: return .connectionFailure
        default: throw MilterProtocolError(.malformedPayload, detail: "\(id) is not an empty reply")
        }
    }

    /// Writes this reply's payload (without the frame header).
    public func writePayload(into buffer: inout ByteBuffer) throws(MilterProtocolError) {
        switch self {
        case .optionNegotiation(let negotiation): try buffer.writeOptionNegotiation(negotiation)
        case .replyCode(let text): buffer.writeReplyCodeText(text)
        case .addRecipient(let text), .deleteRecipient(let text), .quarantine(let text):
            try buffer.writeMilterString(text)
        case .addRecipientWithArguments(let change), .changeSender(let change): try buffer.writeEnvelopeChange(change)
        case .replaceBody(var bytes): buffer.writeBuffer(&bytes)
        case .addHeader(let field): try buffer.writeHeaderField(field)
        case .insertHeader(let indexed), .changeHeader(let indexed): try buffer.writeIndexedHeaderField(indexed)
        case .continue, .accept, .reject, .tempfail, .discard, .skip, .progress, .shutdown, .connectionFailure: break
        }
    }
}
