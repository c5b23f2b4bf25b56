/// Text escaped one Unicode scalar at a time: the shape shared by log fields, terminal output, JSON
/// strings and HTML, each of which names its own replacements.
package enum ScalarEscape {
    /// Whether `scalar` is a control character: C0 (below U+0020), DEL or C1 (U+0080 to U+009F).
    package static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// `text` with every scalar for which `replacement` returns text replaced by that text. Text
    /// that needs no replacement (nearly every log field) comes back as it is, without a copy.
    package static func replacing(_ text: String, _ replacement: (Unicode.Scalar) -> String?) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { replacement($0) != nil }) else { return text }
        var output = String(scalars[..<first])
        output.reserveCapacity(text.utf8.count + 8)
        for scalar in scalars[first...] {
            if let replaced = replacement(scalar) {
                output += replaced
            } else {
                output.unicodeScalars.append(scalar)
            }
        }
        return output
    }

    /// The scalar's value in hexadecimal digits: `1B`, or `1b` when `uppercase` is false.
    package static func hex(_ scalar: Unicode.Scalar, uppercase: Bool = true) -> String {
        String(scalar.value, radix: 16, uppercase: uppercase)
    }
}
