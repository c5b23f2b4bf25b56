/// Walks the header section line by line and records where each field and the body start.
struct HeaderSplitter {
    let bytes: ArraySlice<UInt8>
    let limits: ParseLimits
    private(set) var fields: [RawHeaderField] = []
    private(set) var bodyStart: Int
    private(set) var lineEnding: RawMessage.LineEnding = .lf
    private(set) var mboxFromLine: [UInt8]?
    private(set) var leadingContinuationLines: [[UInt8]] = []
    private(set) var isTruncated = false

    /// The field being collected: where its name starts, its colon, and where its last line's content ends.
    private var pending: (start: Int, colon: Int, valueEnd: Int)?
    private var sectionStart: Int

    init(bytes: ArraySlice<UInt8>, limits: ParseLimits) {
        self.bytes = bytes
        self.limits = limits
        self.bodyStart = bytes.endIndex
        self.sectionStart = bytes.startIndex
    }

    mutating func run() {
        var index = bytes.startIndex
        detectLineEnding()
        index = skipMboxLine(at: index)
        sectionStart = index
        while index < bytes.endIndex {
            let next = LineEndings.nextLineStart(bytes, from: index)
            let end = LineEndings.contentEnd(bytes, lineStart: index, nextLine: next)
            if end == index {
                finishPending(sectionBytes: next - sectionStart)
                bodyStart = next
                return
            }
            if ASCII.isWSP(bytes[index]), pending != nil {
                pending?.valueEnd = end
            } else if ASCII.isWSP(bytes[index]) {
                // No field is pending only before the first field line.
                keepLeadingContinuation(from: index, to: end, sectionBytes: next - sectionStart)
            } else if let colon = fieldColon(from: index, to: end) {
                finishPending(sectionBytes: index - sectionStart)
                pending = (index, colon, end)
            } else {
                finishPending(sectionBytes: index - sectionStart)
                bodyStart = index
                return
            }
            index = next
        }
        finishPending(sectionBytes: bytes.endIndex - sectionStart)
        bodyStart = bytes.endIndex
    }

    private mutating func detectLineEnding() {
        if let lf = bytes.firstIndex(of: ASCII.lf), lf > bytes.startIndex, bytes[lf - 1] == ASCII.cr {
            lineEnding = .crlf
        }
    }

    private mutating func skipMboxLine(at index: Int) -> Int {
        guard bytes.count >= 5, ASCII.equalsIgnoringCase(bytes[index..<index + 5], "From "),
            bytes[index] == 0x46
        else { return index }
        let next = LineEndings.nextLineStart(bytes, from: index)
        mboxFromLine = Array(bytes[index..<LineEndings.contentEnd(bytes, lineStart: index, nextLine: next)])
        return next
    }

    /// The colon of a field line: a name of printable ASCII without colon, optional WSP, then `:`.
    private func fieldColon(from start: Int, to end: Int) -> Int? {
        var index = start
        while index < end, bytes[index] > 0x20, bytes[index] < 0x7F, bytes[index] != ASCII.colon { index += 1 }
        guard index > start else { return nil }
        while index < end, ASCII.isWSP(bytes[index]) { index += 1 }
        return index < end && bytes[index] == ASCII.colon ? index : nil
    }

    /// A continuation line before any field continues nothing. Like Python's `email` parser
    /// (`FirstHeaderLineIsContinuationDefect`), the line is set aside and the header section goes on, so
    /// that a leading space cannot hide every field in the body; the line is kept, within the header limits.
    private mutating func keepLeadingContinuation(from start: Int, to end: Int, sectionBytes: Int) {
        guard leadingContinuationLines.count < limits.maxHeaderFields, sectionBytes <= limits.maxHeaderBytes else {
            isTruncated = true
            return
        }
        leadingContinuationLines.append(Array(bytes[start..<end]))
    }

    private mutating func finishPending(sectionBytes: Int) {
        guard let field = pending else { return }
        pending = nil
        guard fields.count < limits.maxHeaderFields, sectionBytes <= limits.maxHeaderBytes else {
            isTruncated = true
            return
        }
        fields.append(
            RawHeaderField(
                nameBytes: Array(bytes[field.start..<field.colon]),
                valueBytes: Array(bytes[(field.colon + 1)..<field.valueEnd])))
    }
}
