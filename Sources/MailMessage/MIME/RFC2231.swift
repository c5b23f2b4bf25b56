/// RFC 2231 parameter value continuations and charset/language information.
enum RFC2231 {
    private struct Section {
        var number: Int
        var extended: Bool
        var value: [UInt8]
    }

    /// Merges raw parameters into decoded values. `name*N[*]` sections are joined in order; a
    /// `name*` value beats a plain `name`; plain values get RFC 2047 decoding.
    static func combine(_ raw: [(name: String, value: [UInt8])]) -> [String: String] {
        var plain: [String: String] = [:]
        var sections: [String: [Section]] = [:]
        for (name, value) in raw {
            guard let star = name.firstIndex(of: "*") else {
                if plain[name] == nil { plain[name] = EncodedWords.decode(value[...]) }
                continue
            }
            let base = String(name[..<star])
            let rest = name[name.index(after: star)...]
            let extended = rest.hasSuffix("*") || rest.isEmpty
            let number = Int(rest.hasSuffix("*") ? rest.dropLast() : rest) ?? 0
            guard number < 1000, (sections[base]?.count ?? 0) < 1000 else { continue }
            sections[base, default: []].append(Section(number: number, extended: extended, value: value))
        }
        for (base, parts) in sections { plain[base] = decode(parts.sorted { $0.number < $1.number }) }
        return plain
    }

    private static func decode(_ sections: [Section]) -> String {
        var charset: String?
        var bytes: [UInt8] = []
        for (index, section) in sections.enumerated() {
            var value = section.value[...]
            if index == 0, section.extended, let (label, rest) = splitCharset(value) {
                charset = label
                value = rest
            }
            bytes += section.extended ? percentDecode(value) : Array(value)
        }
        guard let charset, !charset.isEmpty else { return Charsets.decodeUnlabelled(bytes[...]) }
        return Charsets.decodeLenient(bytes[...], charset: charset)
    }

    /// `charset'language'rest` split into the charset and the rest.
    private static func splitCharset(_ value: ArraySlice<UInt8>) -> (String, ArraySlice<UInt8>)? {
        guard let first = value.firstIndex(of: 0x27),
            let second = value[(first + 1)...].firstIndex(of: 0x27)
        else { return nil }
        return (String(decoding: value[value.startIndex..<first], as: UTF8.self), value[(second + 1)...])
    }

    private static func percentDecode(_ value: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        var index = value.startIndex
        while index < value.endIndex {
            if value[index] == 0x25, index + 2 < value.endIndex, let high = ASCII.hexValue(value[index + 1]),
                let low = ASCII.hexValue(value[index + 2])
            {
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(value[index])
                index += 1
            }
        }
        return output
    }
}
