extension ReplyCode {
    /// One thing wrong with a REPLYCODE text received from a milter.
    public enum Problem: Hashable, Sendable, CustomStringConvertible {
        /// The text is empty.
        case empty
        /// A line does not start with three digits and a space or hyphen (a bare `550` is this).
        case malformedLine(line: Int)
        /// The code is not 4xx or 5xx.
        case codeNotFailure(line: Int)
        /// The enhanced code's class differs from the code's first digit.
        case enhancedClassMismatch(line: Int)
        /// The text after the code starts with a digit other than the code's first, which Postfix takes for an
        /// enhanced code of another class even when it is none (`550 4 items`).
        case textClassMismatch(line: Int)
        /// The lines carry different codes.
        case inconsistentCodes(line: Int)
        /// A non-final line does not use `ddd-`, or the final line uses it.
        case wrongContinuation(line: Int)
        /// A line ends in CR or LF without its partner, or the text ends in a line break.
        case badLineBreak(line: Int)
        /// A single `%`, which Sendmail would read as a format directive.
        case undoubledPercent(line: Int)
        /// More than 32 lines.
        case tooManyLines
        /// A line over 980 bytes.
        case lineTooLong(line: Int)
        /// A NUL inside the text.
        case embeddedNUL

        /// The problem in words, without the reply's text.
        public var description: String {
            switch self {
            case .empty: "the reply text is empty"
            case .malformedLine(let line): "line \(line) does not start with 'ddd ' or 'ddd-'"
            case .codeNotFailure(let line): "line \(line) has a code outside 4xx and 5xx"
            case .enhancedClassMismatch(let line): "line \(line) has an enhanced code of another class"
            case .textClassMismatch(let line): "line \(line) has text starting with a digit of another class"
            case .inconsistentCodes(let line): "line \(line) has a different code from line 1"
            case .wrongContinuation(let line): "line \(line) has the wrong continuation marker"
            case .badLineBreak(let line): "line \(line) ends in a bare CR or LF"
            case .undoubledPercent(let line): "line \(line) has a single '%'"
            case .tooManyLines: "more than \(ReplyCode.maximumLines) lines"
            case .lineTooLong(let line): "line \(line) is over \(ReplyCode.maximumLineLength) bytes"
            case .embeddedNUL: "the text contains NUL"
            }
        }
    }

    /// Every problem with a REPLYCODE text, in line order; empty when it is valid.
    public static func problems(in text: MilterString) -> [Problem] {
        let bytes = text.bytes
        if bytes.isEmpty { return [.empty] }
        if bytes.contains(0) { return [.embeddedNUL] }
        let lines = ReplyLines.split(bytes)
        var problems: [Problem] = []
        if lines.count > maximumLines { problems.append(.tooManyLines) }
        for (index, line) in lines.enumerated() {
            let number = index + 1
            let isLast = index == lines.count - 1
            problems += ReplyLines.check(line, number: number, isLast: isLast, firstCode: lines[0].bytes.prefix(3))
        }
        return problems
    }

    /// Throws ``MilterProtocolError/Code/invalidReplyCode`` naming the first problem, if any.
    public static func check(_ text: MilterString) throws(MilterProtocolError) {
        if let first = problems(in: text).first {
            throw MilterProtocolError(.invalidReplyCode, excerpt: excerpt(text.bytes), detail: first.description)
        }
    }

    /// The text redacted as every excerpt is (``Redaction``), but for its leading reply code and enhanced code
    /// (`299 2.0.0`), which are no personal data and are what the problem is about.
    static func excerpt(_ bytes: [UInt8]) -> String {
        var index = 0
        /// Takes 1 to `most` digits at `index`; false, taking nothing, when there is none.
        func digits(upTo most: Int) -> Bool {
            let run = bytes[index...].prefix(most).prefix { (0x30...0x39).contains($0) }.count
            index += run
            return run > 0
        }
        /// Takes `wanted` at `index`.
        func byte(_ wanted: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == wanted else { return false }
            index += 1
            return true
        }
        if digits(upTo: 3), byte(UInt8(ascii: " ")) || byte(UInt8(ascii: "-")) {
            let afterCode = index
            let dot = UInt8(ascii: ".")
            let enhanced = digits(upTo: 1) && byte(dot) && digits(upTo: 3) && byte(dot) && digits(upTo: 3)
            if !enhanced { index = afterCode }
        }
        return String(decoding: bytes[..<index], as: UTF8.self) + Redaction.excerpt(bytes[index...])
    }
}

enum ReplyLines {
    struct Line {
        var bytes: ArraySlice<UInt8>
        var terminatedByCRLF: Bool
    }

    static func split(_ bytes: [UInt8]) -> [Line] {
        var lines: [Line] = []
        var start = 0
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A {
                lines.append(Line(bytes: bytes[start..<index], terminatedByCRLF: true))
                index += 2
                start = index
            } else {
                index += 1
            }
        }
        lines.append(Line(bytes: bytes[start..<bytes.count], terminatedByCRLF: false))
        return lines
    }

    static func check(_ line: Line, number: Int, isLast: Bool, firstCode: ArraySlice<UInt8>) -> [ReplyCode.Problem] {
        let b = Array(line.bytes)
        if b.contains(0x0D) || b.contains(0x0A) { return [.badLineBreak(line: number)] }
        if isLast && b.isEmpty && number > 1 { return [.badLineBreak(line: number - 1)] }
        guard b.count >= 4, b[0...2].allSatisfy(isDigit), b[3] == 0x20 || b[3] == 0x2D else {
            return [.malformedLine(line: number)]
        }
        var problems: [ReplyCode.Problem] = []
        if b[0] != UInt8(ascii: "4") && b[0] != UInt8(ascii: "5") { problems.append(.codeNotFailure(line: number)) }
        if b[0...2] != firstCode { problems.append(.inconsistentCodes(line: number)) }
        if b[3] != (isLast ? 0x20 : 0x2D) { problems.append(.wrongContinuation(line: number)) }
        // Only a `c.sss.ddd` prefix is an enhanced code; text that merely starts with a digit is not.
        let enhanced = enhancedCodeLength(b[4...])
        if enhanced > 0, b[4] != b[0] { problems.append(.enhancedClassMismatch(line: number)) }
        if hasSinglePercent(b[4...]) { problems.append(.undoubledPercent(line: number)) }
        // libmilter's MAXREPLYLEN counts the text of a line, without the codes.
        if b.count - 4 - enhanced > ReplyCode.maximumLineLength { problems.append(.lineTooLong(line: number)) }
        return problems
    }

    /// The length of an enhanced code and its following space at the start of `text`, or 0.
    static func enhancedCodeLength(_ text: ArraySlice<UInt8>) -> Int {
        guard let end = text.firstIndex(of: 0x20) ?? (text.isEmpty ? nil : text.endIndex) else { return 0 }
        let candidate = text[text.startIndex..<end]
        guard let first = candidate.first, isDigit(first),
            EnhancedCode.isValid(String(decoding: candidate, as: UTF8.self), codeClass: Int(first - 0x30))
        else { return 0 }
        return candidate.count + (end < text.endIndex ? 1 : 0)
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    static func hasSinglePercent(_ bytes: ArraySlice<UInt8>) -> Bool {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == UInt8(ascii: "%") {
                guard index + 1 < bytes.endIndex, bytes[index + 1] == UInt8(ascii: "%") else { return true }
                index += 2
            } else {
                index += 1
            }
        }
        return false
    }
}
