/// Domain name text and wire forms.
enum DNSName {
    /// The longest name on the wire, length bytes and final zero included (RFC 1035 §2.3.4).
    static let maxWireLength = 255
    /// The longest label.
    static let maxLabelLength = 63

    /// Lowercase ASCII, without a final dot: the form names compare in.
    static func canonical(_ name: String) -> String {
        var text = Substring(name)
        if text.hasSuffix(".") { text = text.dropLast() }
        return String(decoding: text.utf8.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
    }

    /// Whether two names are spelt the same, letter case included; a final dot does not count.
    static func sameSpelling(_ first: String, _ second: String) -> Bool {
        func absolute(_ name: String) -> Substring.UTF8View {
            (name.hasSuffix(".") ? name.dropLast() : Substring(name)).utf8
        }
        return absolute(first).elementsEqual(absolute(second))
    }

    /// `name` with the case of each ASCII letter drawn at random, one bit of `bits` each (a new
    /// draw every 64 letters): 0x20 randomisation.
    static func randomizingCase(_ name: String, bits: () -> UInt64) -> String {
        var word = bits()
        var used = 0
        let bytes = name.utf8.map { byte -> UInt8 in
            guard (65...90).contains(byte) || (97...122).contains(byte) else { return byte }
            if used == 64 {
                word = bits()
                used = 0
            }
            defer {
                word >>= 1
                used += 1
            }
            return word & 1 == 1 ? byte & ~0x20 : byte | 0x20
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The wire form of a name: length-prefixed labels and a zero byte.
    static func encode(_ name: String) throws(DNSError) -> [UInt8] {
        var text = Substring(name)
        if text.hasSuffix(".") { text = text.dropLast() }
        var wire: [UInt8] = []
        if !text.isEmpty {
            for label in text.split(separator: ".", omittingEmptySubsequences: false) {
                let bytes = Array(label.utf8)
                guard (1...maxLabelLength).contains(bytes.count) else { throw DNSError(.invalidName) }
                wire.append(UInt8(bytes.count))
                wire += bytes
            }
        }
        wire.append(0)
        guard wire.count <= maxWireLength else { throw DNSError(.invalidName) }
        return wire
    }

    /// A label as text: printable ASCII as is, `.`, `\` and other bytes escaped as `\DDD`.
    static func text(ofLabel label: ArraySlice<UInt8>) -> String {
        var text = ""
        for byte in label {
            if byte > 32, byte < 127, byte != 46, byte != 92 {
                text.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let digits = String(byte)
                text += "\\" + String(repeating: "0", count: 3 - digits.count) + digits
            }
        }
        return text
    }
}
