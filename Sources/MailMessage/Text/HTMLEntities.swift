/// HTML character references: numeric (`&#233;`, `&#xE9;`) and the named ones common in mail.
enum HTMLEntities {
    /// Decodes the reference at `start` (which holds `&`); returns the character and the index
    /// after the reference. An unknown or malformed reference yields `&` and `start + 1`.
    static func decode(_ input: [UInt8], at start: Int) -> (Unicode.Scalar, Int) {
        var cursor = start + 1
        let limit = min(input.count, start + 34)
        if cursor < limit, input[cursor] == 0x23 {
            return decodeNumeric(input, from: cursor + 1, limit: limit) ?? ("&", start + 1)
        }
        while cursor < limit, isAlphanumeric(input[cursor]) { cursor += 1 }
        let name = String(decoding: input[(start + 1)..<cursor], as: UTF8.self)
        guard let value = named[name] else { return ("&", start + 1) }
        let hasSemicolon = cursor < input.count && input[cursor] == 0x3B
        return (value, hasSemicolon ? cursor + 1 : cursor)
    }

    private static func decodeNumeric(_ input: [UInt8], from start: Int, limit: Int) -> (Unicode.Scalar, Int)? {
        var cursor = start
        let hex = cursor < limit && (input[cursor] | 0x20) == 0x78
        if hex { cursor += 1 }
        var value: UInt32 = 0
        let digitsStart = cursor
        while cursor < limit, let digit = hex ? ASCII.hexValue(input[cursor]) : decimal(input[cursor]) {
            value = min(value * (hex ? 16 : 10) + UInt32(digit), 0x11_0000)
            cursor += 1
        }
        guard cursor > digitsStart else { return nil }
        if cursor < input.count, input[cursor] == 0x3B { cursor += 1 }
        return (character(forReference: value), cursor)
    }

    /// The character a numeric reference stands for, as the WHATWG HTML standard's "numeric character reference
    /// end state" has it: 0, a surrogate or a value past U+10FFFF is U+FFFD, and 0x80-0x9F are read as
    /// Windows-1252 (`&#x80;` is €, `&#x99;` ™; the five bytes it leaves undefined stay C1 controls).
    static func character(forReference value: UInt32) -> Unicode.Scalar {
        switch value {
        case 0: "\u{FFFD}"
        case 0x80...0x9F: Windows1252.scalar(UInt8(value))
        default: Unicode.Scalar(value) ?? "\u{FFFD}"
        }
    }

    private static func decimal(_ byte: UInt8) -> UInt8? { byte >= 0x30 && byte <= 0x39 ? byte - 0x30 : nil }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
    }

    private static let named: [String: Unicode.Scalar] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{A0}", "copy": "©", "reg": "®",
        "trade": "™", "hellip": "…", "mdash": "—", "ndash": "–", "lsquo": "‘", "rsquo": "’", "ldquo": "“",
        "rdquo": "”", "sbquo": "‚", "bdquo": "„", "bull": "•", "middot": "·", "euro": "€", "pound": "£", "yen": "¥",
        "cent": "¢", "sect": "§", "para": "¶", "deg": "°", "plusmn": "±", "times": "×", "divide": "÷",
        "frac12": "½", "frac14": "¼", "frac34": "¾", "laquo": "«", "raquo": "»", "iexcl": "¡", "iquest": "¿",
        "shy": "\u{AD}", "zwnj": "\u{200C}", "zwj": "\u{200D}", "thinsp": "\u{2009}", "ensp": "\u{2002}",
        "emsp": "\u{2003}", "dagger": "†", "larr": "←", "rarr": "→", "uarr": "↑", "darr": "↓", "hearts": "♥",
        "check": "✓", "agrave": "à", "aacute": "á", "acirc": "â", "atilde": "ã", "auml": "ä", "aring": "å",
        "aelig": "æ", "ccedil": "ç", "egrave": "è", "eacute": "é", "ecirc": "ê", "euml": "ë", "igrave": "ì",
        "iacute": "í", "icirc": "î", "iuml": "ï", "ntilde": "ñ", "ograve": "ò", "oacute": "ó", "ocirc": "ô",
        "otilde": "õ", "ouml": "ö", "oslash": "ø", "ugrave": "ù", "uacute": "ú", "ucirc": "û", "uuml": "ü",
        "yacute": "ý", "yuml": "ÿ", "szlig": "ß", "Agrave": "À", "Aacute": "Á", "Acirc": "Â", "Auml": "Ä",
        "Aring": "Å", "AElig": "Æ", "Ccedil": "Ç", "Egrave": "È", "Eacute": "É", "Ecirc": "Ê", "Ntilde": "Ñ",
        "Oacute": "Ó", "Ouml": "Ö", "Oslash": "Ø", "Uacute": "Ú", "Uuml": "Ü", "AMP": "&", "LT": "<", "GT": ">",
        "QUOT": "\"",
    ]
}
