/// A small streaming JSON writer: enough for transcripts, with no Foundation dependency.
struct JSONWriter {
    private(set) var output = ""
    private var needsComma = [false]

    mutating func beginObject(_ key: String? = nil) { open(key, "{") }
    mutating func endObject() { close("}") }
    mutating func beginArray(_ key: String? = nil) { open(key, "[") }
    mutating func endArray() { close("]") }

    mutating func field(_ key: String?, _ value: String) {
        separate(key)
        Self.appendString(value, to: &output)
    }

    mutating func field(_ key: String?, _ value: Int64) {
        separate(key)
        output += String(value)
    }

    /// A number already formatted as a JSON number.
    mutating func field(_ key: String?, number: String) {
        separate(key)
        output += number
    }

    mutating func field(_ key: String?, _ value: Bool) {
        separate(key)
        output += value ? "true" : "false"
    }

    /// Bytes as a JSON string when they are valid UTF-8, otherwise as `{"base64": "..."}`.
    mutating func field(_ key: String?, bytes: [UInt8]) {
        if let text = String(validating: bytes, as: UTF8.self) {
            field(key, text)
        } else {
            beginObject(key)
            field("base64", Base64.encode(bytes))
            endObject()
        }
    }

    private mutating func open(_ key: String?, _ bracket: String) {
        separate(key)
        output += bracket
        needsComma.append(false)
    }

    private mutating func close(_ bracket: String) {
        needsComma.removeLast()
        output += bracket
    }

    private mutating func separate(_ key: String?) {
        if needsComma[needsComma.count - 1] { output += "," }
        needsComma[needsComma.count - 1] = true
        if let key {
            Self.appendString(key, to: &output)
            output += ":"
        }
    }

    static func appendString(_ text: String, to output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                output += "\\u00" + TextEscaping.hex(UInt8(scalar.value))
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}

/// RFC 4648 base64 with padding.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            let value = chunk.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (16 - 8 * UInt32($1.offset)) }
            for position in 0..<4 {
                let emitted = position <= chunk.count
                output.append(emitted ? alphabet[Int(value >> (18 - 6 * UInt32(position)) & 0x3F)] : UInt8(ascii: "="))
            }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }
}
