import MailMessage
import _MilterSystem

/// Reads the values of the steps that carry content: addresses, headers, bodies, messages, raw bytes.
enum ScenarioContentParser {
    static func envelope(_ field: YAMLField) throws(ScenarioParseError) -> EnvelopeSpec {
        if case .scalar = field.node { return EnvelopeSpec(address: try field.string()) }
        let fields = try field.mapping(allowed: ["address", "args"])
        let address = try fields.required("address").string()
        return EnvelopeSpec(address: address, arguments: try fields["args"]?.strings() ?? [])
    }

    private static func envelopes(_ field: YAMLField) throws(ScenarioParseError) -> [EnvelopeSpec] {
        var result: [EnvelopeSpec] = []
        if case .mapping = field.node { return [try envelope(field)] }
        for item in try field.list() { result.append(try envelope(item)) }
        guard !result.isEmpty else { throw field.error("\(field.context): no recipient") }
        return result
    }

    /// One field: `"Name: value"`, `{name, value}`, `{name, raw-value}` or `{name, size}`.
    static func header(_ field: YAMLField) throws(ScenarioParseError) -> RawHeaderField {
        if case .scalar = field.node {
            let text = try field.string()
            guard let colon = text.firstIndex(of: ":"), colon != text.startIndex else {
                throw field.error("\(field.context): expected 'Name: value', got '\(text)'")
            }
            return RawHeaderField(
                nameBytes: Array(text[..<colon].utf8), valueBytes: Array(text[text.index(after: colon)...].utf8))
        }
        let fields = try field.mapping(allowed: ["name", "value", "raw-value", "size"])
        let name = try fields.required("name").string()
        let given = ["value", "raw-value", "size"].filter { fields[$0] != nil }
        guard given.count == 1 else {
            throw field.error("\(field.context): give exactly one of 'value', 'raw-value' or 'size'")
        }
        if let value = fields["value"] {
            let text = value.isNull ? "" : try value.string()
            return RawHeaderField(nameBytes: Array(name.utf8), valueBytes: text.isEmpty ? [] : Array((" " + text).utf8))
        }
        if let raw = fields["raw-value"] {
            return RawHeaderField(nameBytes: Array(name.utf8), valueBytes: Array(try raw.string().utf8))
        }
        let size = try fields.required("size").integer(in: 0...(16 << 20))
        let letters = Array("abcdefghijklmnopqrstuvwxyz".utf8)
        return RawHeaderField(
            nameBytes: Array(name.utf8), valueBytes: [0x20] + (0..<size).map { letters[$0 % letters.count] })
    }

    static func headers(_ field: YAMLField) throws(ScenarioParseError) -> HeaderSource {
        if case .mapping = field.node {
            let fields = try field.mapping(allowed: ["eml"])
            return .eml(try path(try fields.required("eml")))
        }
        var result: [RawHeaderField] = []
        for item in try field.list() { result.append(try header(item)) }
        return .inline(result)
    }

    static func body(_ field: YAMLField) throws(ScenarioParseError) -> BodySource {
        if case .scalar = field.node { return .inline(field.isNull ? [] : Array(try field.string().utf8)) }
        let fields = try field.mapping(allowed: ["text", "file", "eml", "size", "content", "line-length"])
        if let text = fields["text"] { return .inline(Array(try text.string().utf8)) }
        if let file = fields["file"] { return .file(try path(file)) }
        if let eml = fields["eml"] { return .eml(try path(eml)) }
        guard let size = fields["size"] else {
            throw field.error("\(field.context): give 'text', 'file', 'eml' or 'size'")
        }
        var generated = GeneratedBody(size: try size.integer(in: 0...(64 << 20)))
        if let content = fields["content"] { generated.content = try content.word(GeneratedBody.Content.self) }
        if let length = fields["line-length"] { generated.lineLength = try length.integer(in: 1...100_000) }
        return .generated(generated)
    }

    static func message(_ field: YAMLField) throws(ScenarioParseError) -> MessageSpec {
        let fields = try field.mapping(allowed: ["from", "to", "eml", "headers", "body"])
        let sender = try envelope(try fields.required("from"))
        let recipients = try envelopes(try fields.required("to"))
        if let eml = fields["eml"] {
            if let extra = ["headers", "body"].first(where: { fields[$0] != nil }) {
                throw fields[extra]!.error("\(field.context): 'eml' and '\(extra)' cannot both be given")
            }
            let file = try path(eml)
            return MessageSpec(sender: sender, recipients: recipients, headers: .eml(file), body: .eml(file))
        }
        let headers = try fields["headers"].map { field throws(ScenarioParseError) in try self.headers(field) }
        let body = try fields["body"].map { field throws(ScenarioParseError) in try self.body(field) }
        return MessageSpec(
            sender: sender, recipients: recipients,
            headers: headers ?? .inline(defaultHeaders(sender: sender, recipient: recipients[0])),
            body: body ?? .inline(Array("Hello from a milter-replay scenario.\n".utf8)))
    }

    private static func defaultHeaders(sender: EnvelopeSpec, recipient: EnvelopeSpec) -> [RawHeaderField] {
        let from = sender.envelope.mailbox
        return [
            RawHeaderField(name: "From", value: " <\(from)>"),
            RawHeaderField(name: "To", value: " <\(recipient.envelope.mailbox)>"),
            RawHeaderField(name: "Subject", value: " milter-replay scenario"),
            RawHeaderField(name: "Message-ID", value: " <scenario@milter-replay.invalid>"),
        ]
    }

    static func raw(_ field: YAMLField) throws(ScenarioParseError) -> RawSpec {
        let fields = try field.mapping(allowed: ["hex", "text", "command", "payload-hex", "payload-text", "length"])
        if let hex = fields["hex"] { return RawSpec(bytes: try bytes(hex: hex)) }
        if let text = fields["text"] { return RawSpec(bytes: Array(try text.string().utf8)) }
        guard let commandField = fields["command"] else {
            throw field.error("\(field.context): give 'hex', 'text', or 'command' with a payload")
        }
        let commandText = try commandField.string()
        let command: UInt8
        if commandText.utf8.count == 1 {
            command = commandText.utf8.first!
        } else {
            command = UInt8(try commandField.integer(in: 0...255))
        }
        var payload: [UInt8] = []
        if let hex = fields["payload-hex"] { payload = try bytes(hex: hex) }
        if let text = fields["payload-text"] { payload += Array(try text.string().utf8) }
        let length = try fields["length"].map { field throws(ScenarioParseError) in
            UInt32(try field.integer(in: 0...Int(UInt32.max)))
        }
        return RawSpec(command: command, payload: payload, length: length)
    }

    private static func bytes(hex field: YAMLField) throws(ScenarioParseError) -> [UInt8] {
        let digits = try field.string().filter { !$0.isWhitespace }
        guard digits.count.isMultiple(of: 2) else { throw field.error("\(field.context): an odd number of hex digits") }
        var result: [UInt8] = []
        var index = digits.startIndex
        while index < digits.endIndex {
            let next = digits.index(index, offsetBy: 2)
            guard let byte = UInt8(digits[index..<next], radix: 16) else {
                throw field.error("\(field.context): '\(digits[index..<next])' is not a hex byte")
            }
            result.append(byte)
            index = next
        }
        return result
    }

    /// A path relative to the scenario file's directory, which must be a readable regular file: a directory, a FIFO
    /// or a device is refused here, with the place in the scenario, as a missing file is, not when the case runs.
    private static func path(_ field: YAMLField) throws(ScenarioParseError) -> String {
        let given = try field.string()
        let resolved =
            given.hasPrefix("/")
            ? given : field.file.deletingLastPathComponent.appendingPathComponent(given).lexicallyNormalizedPath
        guard access(resolved, R_OK) == 0 else {
            throw field.error("\(field.context): cannot read '\(resolved)': \(SystemCall.errorText(errno))")
        }
        var status = stat()
        guard stat(resolved, &status) == 0 else {
            throw field.error("\(field.context): cannot read '\(resolved)': \(SystemCall.errorText(errno))")
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw field.error("\(field.context): cannot read '\(resolved)': not a regular file")
        }
        return resolved
    }
}
