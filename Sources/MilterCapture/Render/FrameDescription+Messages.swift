import MilterProtocol
import NIOCore

extension FrameDescription {
    static func describe(_ command: MilterCommand) -> FrameDescription {
        let name = command.id.description
        switch command {
        case .optionNegotiation(let value): return negotiation(name, value)
        case .macro(let value):
            return FrameDescription(
                name: name,
                fields: [
                    ("stage", .text([value.stage])),
                    ("macros", .pairs(value.macros.map { ($0.name.bytes, $0.value.bytes) })),
                ])
        case .connect(let value): return FrameDescription(name: name, fields: connectFields(value))
        case .helo(let text), .unknown(let text):
            return FrameDescription(name: name, fields: [("text", .text(text.bytes))])
        case .mail(let envelope), .recipient(let envelope):
            return FrameDescription(
                name: name,
                fields: [
                    ("address", .text(envelope.address.bytes)), ("arguments", .texts(envelope.arguments.map(\.bytes))),
                ])
        case .header(let field): return FrameDescription(name: name, fields: headerFields(field))
        case .body(let bytes), .endOfMessage(let bytes):
            return FrameDescription(
                name: name, fields: bytes.readableBytes == 0 ? [] : [("data", .bytes(bytes))])
        case .data, .endOfHeaders, .abort, .quit, .quitNewConnection: return FrameDescription(name: name)
        }
    }

    static func describe(_ reply: MilterReply) -> FrameDescription {
        let name = reply.id.description
        switch reply {
        case .optionNegotiation(let value): return negotiation(name, value)
        case .replyCode(let text), .addRecipient(let text), .deleteRecipient(let text), .quarantine(let text):
            return FrameDescription(name: name, fields: [("text", .text(text.bytes))])
        case .addRecipientWithArguments(let change), .changeSender(let change):
            var fields: [(name: String, value: Value)] = [("address", .text(change.address.bytes))]
            if let arguments = change.arguments { fields.append(("arguments", .text(arguments.bytes))) }
            return FrameDescription(name: name, fields: fields)
        case .replaceBody(let bytes):
            return FrameDescription(name: name, fields: [("data", .bytes(bytes))])
        case .addHeader(let field): return FrameDescription(name: name, fields: headerFields(field))
        case .insertHeader(let indexed), .changeHeader(let indexed):
            return FrameDescription(
                name: name, fields: [("index", .number(UInt64(indexed.index)))] + headerFields(indexed.field))
        case .continue, .accept, .reject, .tempfail, .discard, .skip, .progress, .shutdown, .connectionFailure:
            return FrameDescription(name: name)
        }
    }

    private static func headerFields(_ field: HeaderField) -> [(name: String, value: Value)] {
        [("name", .text(field.name.bytes)), ("value", .text(field.value.bytes))]
    }

    private static func connectFields(_ info: ConnectInfo) -> [(name: String, value: Value)] {
        var fields: [(name: String, value: Value)] = [
            ("hostname", .text(info.hostname.bytes)), ("family", .text([info.address.familyByte])),
        ]
        switch info.address {
        case .unknown: break
        case .local(let path, let port):
            fields += [("port", .number(UInt64(port))), ("address", .text(path.bytes))]
        case .inet(let address, let port), .inet6(let address, let port):
            fields += [("port", .number(UInt64(port))), ("address", .text(address.bytes))]
        }
        return fields
    }
}
