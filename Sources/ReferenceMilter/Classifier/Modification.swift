import MilterProtocol
import NIOCore

/// A change to the message or its envelope, sent at end of message before the verdict.
public enum Modification: Hashable, Sendable {
    /// Appends a header field.
    case addHeader(name: String, value: String)
    /// Inserts a header field at a position; 0 is the top.
    case insertHeader(index: Int, name: String, value: String)
    /// Replaces the value of the `occurrence`th field called `name`, counted from 1.
    case changeHeader(name: String, occurrence: Int, value: String)
    /// Removes the `occurrence`th field called `name`, counted from 1.
    case deleteHeader(name: String, occurrence: Int)
    /// Adds a recipient, with ESMTP arguments as one space-separated string (`NOTIFY=NEVER`).
    case addRecipient(String, arguments: String?)
    /// Removes a recipient; the address must match the RCPT address as the MTA sent it.
    case deleteRecipient(String)
    /// Replaces the envelope sender, with optional ESMTP arguments.
    case changeSender(String, arguments: String?)
    /// Replaces the body with these bytes (CRLF line ends).
    case replaceBody([UInt8])

    /// The action the MTA must have granted for this modification.
    public var requiredAction: MilterActions {
        switch self {
        case .addHeader, .insertHeader: .addHeaders
        case .changeHeader, .deleteHeader: .changeHeaders
        case .addRecipient(_, let arguments): arguments == nil ? .addRecipients : .addRecipientsWithArguments
        case .deleteRecipient: .deleteRecipients
        case .changeSender: .changeSender
        case .replaceBody: .changeBody
        }
    }

    /// The replies that carry this modification when the session did not agree on
    /// `MilterProtocolFlags.headerLeadingSpace` (HDR_LEADSPC); a body longer than 65535 bytes takes several.
    public var replies: [MilterReply] { replies(headerLeadingSpace: false) }

    /// The replies that carry this modification; a body longer than 65535 bytes takes several.
    ///
    /// - Parameter headerLeadingSpace: whether the session agreed on
    ///   `MilterProtocolFlags.headerLeadingSpace` (HDR_LEADSPC). The MTA then writes a header value exactly as it
    ///   comes, so the space it would otherwise put after the colon goes in front of the value (the
    ///   field reads `Name: value` either way). A deletion's empty value stays empty.
    public func replies(headerLeadingSpace: Bool) -> [MilterReply] {
        switch self {
        case .addHeader(let name, let value):
            return [.addHeader(Self.field(name, value, leadingSpace: headerLeadingSpace))]
        case .insertHeader(let index, let name, let value):
            let field = Self.field(name, value, leadingSpace: headerLeadingSpace)
            return [.insertHeader(IndexedHeaderField(index: Self.index(index), field: field))]
        case .changeHeader(let name, let occurrence, let value):
            let field = Self.field(name, value, leadingSpace: headerLeadingSpace)
            return [.changeHeader(IndexedHeaderField(index: Self.index(occurrence), field: field))]
        case .deleteHeader(let name, let occurrence):
            let field = Self.field(name, "", leadingSpace: false)
            return [.changeHeader(IndexedHeaderField(index: Self.index(occurrence), field: field))]
        case .addRecipient(let address, nil):
            return [.addRecipient(MilterString(Self.bracketed(address)))]
        case .addRecipient(let address, let arguments?):
            return [.addRecipientWithArguments(Self.change(address, arguments))]
        case .deleteRecipient(let address):
            return [.deleteRecipient(MilterString(Self.bracketed(address)))]
        case .changeSender(let address, let arguments):
            return [.changeSender(Self.change(address, arguments))]
        case .replaceBody(let bytes):
            return Self.bodyChunks(bytes)
        }
    }

    /// Header values travel with bare LF between folded lines (pitfall 10).
    private static func field(_ name: String, _ value: String, leadingSpace: Bool) -> HeaderField {
        let value = value.utf8.contains(0x0D) ? value.replacing("\r\n", with: "\n") : value
        guard leadingSpace else { return HeaderField(name: MilterString(name), value: MilterString(value)) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(value.utf8.count + 1)
        bytes.append(0x20)
        bytes.append(contentsOf: value.utf8)
        return HeaderField(name: MilterString(name), value: MilterString(bytes: bytes))
    }

    private static func index(_ value: Int) -> UInt32 { UInt32(clamping: max(0, value)) }

    private static func change(_ address: String, _ arguments: String?) -> EnvelopeChange {
        EnvelopeChange(address: MilterString(bracketed(address)), arguments: arguments.map { MilterString($0) })
    }

    /// Addresses go back in the form the MTA sent them: within angle brackets.
    static func bracketed(_ address: String) -> String {
        address.hasPrefix("<") ? address : "<\(address)>"
    }

    private static func bodyChunks(_ bytes: [UInt8]) -> [MilterReply] {
        guard !bytes.isEmpty else { return [.replaceBody(ByteBuffer())] }
        return stride(from: 0, to: bytes.count, by: 65_535).map { start in
            .replaceBody(ByteBuffer(bytes: bytes[start..<min(start + 65_535, bytes.count)]))
        }
    }
}
