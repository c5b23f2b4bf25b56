import MilterProtocol
import NIOCore

/// A frame reduced to a name and named fields: what both the text and the JSON renderers print.
public struct FrameDescription: Sendable {
    /// A field value.
    public enum Value: Sendable {
        /// A number.
        case number(UInt64)
        /// A flag mask and its names.
        case flags(UInt32, names: String)
        /// A protocol string (NUL-terminated on the wire), as raw bytes.
        case text([UInt8])
        /// Several strings.
        case texts([[UInt8]])
        /// Macro name and value pairs.
        case pairs([(name: [UInt8], value: [UInt8])])
        /// Opaque bytes, such as a body chunk.
        case bytes(ByteBuffer)
    }

    /// The command or reply name (`MAIL`, `REPLYCODE`), or `INVALID`/`TRUNCATED` with the byte.
    public var name: String
    /// The fields, in wire order.
    public var fields: [(name: String, value: Value)]

    /// Describes a captured frame.
    public init(_ frame: CapturedFrame) {
        switch frame.decoded {
        case .command(let command): self = Self.describe(command)
        case .reply(let reply): self = Self.describe(reply)
        case .invalid(let error):
            name = Self.commandName(frame.frame.command, direction: frame.direction)
            fields = [("invalid", .text(Array(error.description.utf8))), ("payload", .bytes(frame.frame.payload))]
        case .truncated:
            name = Self.commandName(frame.frame.command, direction: frame.direction)
            fields = [
                ("declaredLength", .number(UInt64(frame.declaredPayloadLength))),
                ("missingBytes", .number(UInt64(frame.missingBytes))),
                ("capturedPrefix", .bytes(frame.frame.payload)),
            ]
        }
    }

    init(name: String, fields: [(name: String, value: Value)] = []) {
        self.name = name
        self.fields = fields
    }

    static func commandName(_ byte: UInt8, direction: FrameDirection) -> String {
        let known =
            direction == .fromMTA
            ? MilterCommand.ID(rawValue: byte).map(\.description) : MilterReply.ID(rawValue: byte).map(\.description)
        return known ?? "UNKNOWN(\(Redaction.describe(byte: byte)))"
    }

    static func negotiation(_ name: String, _ value: OptionNegotiation) -> FrameDescription {
        var fields: [(name: String, value: Value)] = [
            ("version", .number(UInt64(value.version.rawValue))),
            ("actions", .flags(value.actions.rawValue, names: value.actions.description)),
            ("protocol", .flags(value.protocolFlags.rawValue, names: value.protocolFlags.description)),
        ]
        for list in value.symbolLists {
            fields.append(("symbols.\(list.stage)", .text(list.macros.bytes)))
        }
        return FrameDescription(name: name, fields: fields)
    }
}
