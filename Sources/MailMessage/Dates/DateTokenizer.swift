/// A lexical unit of a date.
enum DateToken: Equatable {
    case number(Int, digits: Int)
    case time(hour: Int, minute: Int, second: Int)
    case offset(minutes: Int)
    case word(String)
}

/// Splits date text into numbers, times, zone offsets and lowercased words; comments are skipped.
enum DateTokenizer {
    static func tokenize(_ text: ArraySlice<UInt8>) -> [DateToken] {
        var tokens: [DateToken] = []
        var index = text.startIndex
        var sawTime = false
        while index < text.endIndex, tokens.count < 32 {
            let byte = text[index]
            if byte == 0x28 {
                index = skipComment(text, from: index)
            } else if isDigit(byte) {
                let (token, next) = readNumberOrTime(text, from: index)
                if case .time = token { sawTime = true }
                tokens.append(token)
                index = next
            } else if (byte == 0x2B || byte == ASCII.dash), sawTime, let (minutes, next) = readOffset(text, at: index) {
                tokens.append(.offset(minutes: minutes))
                index = next
            } else if isLetter(byte) {
                var end = index
                while end < text.endIndex, isLetter(text[end]) { end += 1 }
                tokens.append(.word(ASCII.lowercased(text[index..<end])))
                index = end
            } else {
                index += 1
            }
        }
        return tokens
    }

    private static func readNumberOrTime(_ text: ArraySlice<UInt8>, from start: Int) -> (DateToken, Int) {
        var parts: [(value: Int, digits: Int)] = []
        var index = start
        while index < text.endIndex, parts.count < 3 {
            var value = 0
            var digits = 0
            while index < text.endIndex, isDigit(text[index]), digits < 9 {
                value = value * 10 + Int(text[index] - 0x30)
                digits += 1
                index += 1
            }
            parts.append((value, digits))
            guard index + 1 < text.endIndex, text[index] == ASCII.colon, isDigit(text[index + 1]) else { break }
            index += 1
        }
        if parts.count == 1 { return (.number(parts[0].value, digits: parts[0].digits), index) }
        // Fractional seconds (ISO 8601) are dropped.
        if index + 1 < text.endIndex, text[index] == 0x2E, isDigit(text[index + 1]) {
            index += 1
            while index < text.endIndex, isDigit(text[index]) { index += 1 }
        }
        return (
            .time(hour: parts[0].value, minute: parts[1].value, second: parts.count > 2 ? parts[2].value : 0), index
        )
    }

    /// `+hhmm`, `-hhmm`, `+hh:mm` or `+hh`.
    private static func readOffset(_ text: ArraySlice<UInt8>, at start: Int) -> (Int, Int)? {
        var digits: [Int] = []
        var index = start + 1
        while index < text.endIndex, digits.count < 4 {
            if isDigit(text[index]) {
                digits.append(Int(text[index] - 0x30))
            } else if !(text[index] == ASCII.colon && digits.count == 2) {
                break
            }
            index += 1
        }
        guard digits.count == 4 || digits.count == 2 else { return nil }
        let hours = digits[0] * 10 + digits[1]
        let minutes = digits.count == 4 ? digits[2] * 10 + digits[3] : 0
        guard hours <= 23, minutes <= 59 else { return nil }
        let sign = text[start] == ASCII.dash ? -1 : 1
        return (sign * (hours * 60 + minutes), index)
    }

    private static func skipComment(_ text: ArraySlice<UInt8>, from start: Int) -> Int {
        var depth = 0
        var index = start
        while index < text.endIndex {
            if text[index] == 0x28 { depth += 1 }
            if text[index] == 0x29 {
                depth -= 1
                if depth == 0 { return index + 1 }
            }
            index += 1
        }
        return index
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    private static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }
}
