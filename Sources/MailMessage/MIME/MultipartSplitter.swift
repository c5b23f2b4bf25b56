/// Splits a multipart body at its boundary delimiter lines (RFC 2046 section 5.1.1).
///
/// A delimiter line is `--boundary` followed only by optional whitespace, or `--boundary--`
/// (the close delimiter, after which anything on the line is ignored). A longer boundary that
/// merely starts with this one is not a match. The line break before a delimiter belongs to it.
/// When the close delimiter is missing, the last part runs to the end of the body.
struct MultipartSplitter {
    struct Result {
        var preamble: ArraySlice<UInt8>
        var parts: [ArraySlice<UInt8>]
        var epilogue: ArraySlice<UInt8>
        var isClosed: Bool
        /// True when parts were dropped because of the part limit.
        var isTruncated: Bool
    }

    let body: ArraySlice<UInt8>
    let boundary: [UInt8]

    func split(maxParts: Int) -> Result {
        var result = Result(
            preamble: body[body.startIndex..<body.startIndex], parts: [], epilogue: body[body.endIndex...],
            isClosed: false, isTruncated: false)
        var partStart: Int?
        var line = body.startIndex
        while line < body.endIndex {
            let next = LineEndings.nextLineStart(body, from: line)
            if let isClose = delimiterKind(at: line, lineEnd: next) {
                let contentEnd = Self.endBeforeLineBreak(body, line)
                if let start = partStart {
                    guard result.parts.count < maxParts else {
                        result.isTruncated = true
                        return result
                    }
                    result.parts.append(body[start..<max(start, contentEnd)])
                } else {
                    result.preamble = body[body.startIndex..<contentEnd]
                }
                if isClose {
                    result.isClosed = true
                    result.epilogue = body[next...]
                    return result
                }
                partStart = next
            }
            line = next
        }
        if let start = partStart {
            if result.parts.count < maxParts { result.parts.append(body[start...]) } else { result.isTruncated = true }
        } else {
            result.preamble = body
        }
        return result
    }

    /// nil if the line at `start` is not a delimiter; true for a close delimiter, false for an open one.
    private func delimiterKind(at start: Int, lineEnd: Int) -> Bool? {
        let markerEnd = start + 2 + boundary.count
        guard markerEnd <= lineEnd, body[start] == ASCII.dash, body[start + 1] == ASCII.dash,
            body[(start + 2)..<markerEnd].elementsEqual(boundary)
        else { return nil }
        if markerEnd + 1 < lineEnd, body[markerEnd] == ASCII.dash, body[markerEnd + 1] == ASCII.dash { return true }
        let rest = body[markerEnd..<lineEnd]
        return rest.allSatisfy(ASCII.isWhitespace) ? false : nil
    }

    /// The index before the CRLF or LF that ends the line preceding `lineStart`.
    private static func endBeforeLineBreak(_ body: ArraySlice<UInt8>, _ lineStart: Int) -> Int {
        var end = lineStart
        if end > body.startIndex, body[end - 1] == ASCII.lf { end -= 1 }
        if end > body.startIndex, body[end - 1] == ASCII.cr { end -= 1 }
        return end
    }
}
