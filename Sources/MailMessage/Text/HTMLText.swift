/// A plain-text rendering of HTML for classifiers: tags stripped, `script`/`style`/`head`
/// content dropped, entities decoded, block elements turned into line breaks, and whitespace
/// collapsed (a run with a line break becomes one newline, any other run one space).
public enum HTMLText {
    /// Renders HTML as plain text.
    public static func render(_ html: String) -> String {
        var renderer = HTMLRenderer(Array(html.utf8))
        renderer.run()
        return String(decoding: renderer.output, as: UTF8.self)
    }
}

/// The single pass behind ``HTMLText``.
struct HTMLRenderer {
    private let input: [UInt8]
    private var index = 0
    private(set) var output: [UInt8] = []
    /// 0: none, 1: a space, 2: a line break, pending before the next visible character.
    private var pendingSpace = 0

    init(_ input: [UInt8]) {
        self.input = input
        output.reserveCapacity(input.count / 2)
    }

    mutating func run() {
        while index < input.count {
            let byte = input[index]
            if byte == 0x3C {
                readTag()
            } else if byte == 0x26 {
                let (scalar, next) = HTMLEntities.decode(input, at: index)
                emit(scalar)
                index = next
            } else if ASCII.isWhitespace(byte) || byte == 0x0C {
                pendingSpace = max(pendingSpace, 1)
                index += 1
            } else {
                flushSpace()
                output.append(byte)
                index += 1
            }
        }
    }

    private mutating func emit(_ scalar: Unicode.Scalar) {
        if scalar == "\u{A0}" || scalar.properties.isWhitespace {
            pendingSpace = max(pendingSpace, scalar == "\n" ? 2 : 1)
            return
        }
        flushSpace()
        output.append(contentsOf: Array(String(Character(scalar)).utf8))
    }

    private mutating func flushSpace() {
        if pendingSpace > 0, !output.isEmpty { output.append(pendingSpace == 2 ? ASCII.lf : ASCII.space) }
        pendingSpace = 0
    }

    private mutating func readTag() {
        if startsWith("<!--") {
            index = find("-->", from: index + 4).map { $0 + 3 } ?? input.count
            return
        }
        var cursor = index + 1
        if cursor < input.count, input[cursor] == 0x2F { cursor += 1 }
        let nameStart = cursor
        while cursor < input.count, isNameByte(input[cursor]) { cursor += 1 }
        let name = ASCII.lowercased(input[nameStart..<cursor])
        guard !name.isEmpty || (cursor < input.count && (input[cursor] == 0x21 || input[cursor] == 0x3F)) else {
            // A lone `<` is text.
            flushSpace()
            output.append(0x3C)
            index += 1
            return
        }
        index = tagEnd(from: cursor)
        if HTMLRenderer.blockTags.contains(name) { pendingSpace = 2 }
        if input[nameStart - 1] != 0x2F, HTMLRenderer.hiddenTags.contains(name) {
            index = name == "head" ? headEnd(from: index) : closingTagEnd(name, from: index)
        }
    }

    /// Where a hidden element's content ends: after its closing tag (`</name>`, not `</namesake>`), or
    /// at the end of the input.
    private func closingTagEnd(_ name: String, from start: Int) -> Int {
        var cursor = start
        while let found = find("</" + name, from: cursor, ignoringCase: true) {
            let after = found + 2 + name.utf8.count
            if after >= input.count || !isNameByte(input[after]) { return tagEnd(from: after) }
            cursor = found + 1
        }
        return input.count
    }

    /// Where `<head>`'s content ends: after `</head>`, or, as HTML parsers do (the HTML standard's
    /// "in head" insertion mode), at the first text or the first tag that belongs to the body
    /// (`<body>`, `<p>`…), which is then read as usual. Text inside `title`, `script`, `style` and
    /// the like is skipped whole.
    private func headEnd(from start: Int) -> Int {
        var cursor = start
        while cursor < input.count {
            let byte = input[cursor]
            if byte != 0x3C {
                if ASCII.isWhitespace(byte) || byte == 0x0C {
                    cursor += 1
                    continue
                }
                return cursor
            }
            let open = cursor
            var nameCursor = open + 1
            let closing = nameCursor < input.count && input[nameCursor] == 0x2F
            if closing { nameCursor += 1 }
            let nameStart = nameCursor
            while nameCursor < input.count, isNameByte(input[nameCursor]) { nameCursor += 1 }
            let name = ASCII.lowercased(input[nameStart..<nameCursor])
            if name.isEmpty {
                let isComment = input[open...].starts(with: Array("<!--".utf8))
                cursor = isComment ? (find("-->", from: open + 4).map { $0 + 3 } ?? input.count) : open + 1
                continue
            }
            if closing, name == "head" { return tagEnd(from: nameCursor) }
            if !HTMLRenderer.headElements.contains(name) { return open }
            cursor = tagEnd(from: nameCursor)
            if !closing, HTMLRenderer.headTextElements.contains(name) { cursor = closingTagEnd(name, from: cursor) }
        }
        return input.count
    }

    /// The index after the `>` that closes a tag, skipping quoted attribute values.
    private func tagEnd(from start: Int) -> Int {
        var cursor = start
        var quote: UInt8 = 0
        while cursor < input.count {
            let byte = input[cursor]
            if quote != 0 {
                if byte == quote { quote = 0 }
            } else if byte == 0x22 || byte == 0x27 {
                quote = byte
            } else if byte == 0x3E {
                return cursor + 1
            }
            cursor += 1
        }
        return input.count
    }

    private func startsWith(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return index + bytes.count <= input.count && input[index..<index + bytes.count].elementsEqual(bytes)
    }

    private func find(_ text: String, from start: Int, ignoringCase: Bool = false) -> Int? {
        let needle = Array(text.utf8)
        guard !needle.isEmpty, input.count >= needle.count else { return nil }
        var cursor = start
        while cursor + needle.count <= input.count {
            if let first = input[cursor...].firstIndex(where: { ASCII.lower($0) == ASCII.lower(needle[0]) }) {
                cursor = first
            } else {
                return nil
            }
            guard cursor + needle.count <= input.count else { return nil }
            let window = input[cursor..<cursor + needle.count]
            let matches = ignoringCase ? ASCII.equalsIgnoringCase(window, text) : window.elementsEqual(needle)
            if matches { return cursor }
            cursor += 1
        }
        return nil
    }

    private func isNameByte(_ byte: UInt8) -> Bool {
        (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
    }

    static let blockTags: Set<String> = [
        "br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "blockquote", "hr",
        "pre", "section", "article", "header", "footer", "title", "dt", "dd", "address", "center",
    ]
    static let hiddenTags: Set<String> = ["script", "style", "head", "template"]
    /// The elements that may stand in `<head>`; any other tag starts the body.
    static let headElements: Set<String> = [
        "head", "title", "meta", "link", "style", "script", "base", "noscript", "template",
    ]
    /// The head elements whose content is text, not tags.
    static let headTextElements: Set<String> = ["title", "style", "script", "noscript", "template"]
}
