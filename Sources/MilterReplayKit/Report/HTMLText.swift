import _MilterSystem

/// Escaping for text placed in HTML and SVG: element content and quoted attribute values.
enum HTMLText {
    /// `text` with `&`, `<`, `>`, `"` and `'` replaced by entities, and control characters other than
    /// tab and newline shown as `\u{…}` (a report must never carry raw terminal or markup bytes).
    static func escape(_ text: String) -> String {
        ScalarEscape.replacing(text) { scalar in
            switch scalar {
            case "&": "&amp;"
            case "<": "&lt;"
            case ">": "&gt;"
            case "\"": "&quot;"
            case "'": "&#39;"
            case "\t", "\n": nil
            case _ where ScalarEscape.isControl(scalar): "\\u{\(ScalarEscape.hex(scalar, uppercase: false))}"
            default: nil
            }
        }
    }

    /// A number for an SVG attribute: fixed, two decimals at most, never `nan` or `inf`.
    static func coordinate(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
