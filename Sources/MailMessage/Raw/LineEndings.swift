/// Line-ending normalisation.
enum LineEndings {
    /// Converts bare LF to CRLF; existing CRLF pairs are kept, bare CR is left alone.
    static func toCRLF(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 32)
        var previous: UInt8 = 0
        for byte in bytes {
            if byte == ASCII.lf, previous != ASCII.cr { out.append(ASCII.cr) }
            out.append(byte)
            previous = byte
        }
        return out
    }

    /// The index just past the next LF at or after `index`, or `end` when there is none.
    @inline(__always)
    static func nextLineStart(_ bytes: ArraySlice<UInt8>, from index: Int) -> Int {
        if let lf = bytes[index...].firstIndex(of: ASCII.lf) { return lf + 1 }
        return bytes.endIndex
    }

    /// The end of the line content starting at `start` (before CRLF or LF), given the next line start.
    @inline(__always)
    static func contentEnd(_ bytes: ArraySlice<UInt8>, lineStart start: Int, nextLine: Int) -> Int {
        var end = nextLine
        if end > start, bytes[end - 1] == ASCII.lf { end -= 1 }
        if end > start, bytes[end - 1] == ASCII.cr { end -= 1 }
        return end
    }
}
