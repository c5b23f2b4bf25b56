/// Line-ending and spacing conversions between a message as stored and as the milter sees it.
enum HeaderText {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let space: UInt8 = 0x20

    /// A raw header value as the MTA sends it in HEADER: folding with bare LF (pitfall 10), and
    /// one leading space (not tab) removed unless SMFIP_HDR_LEADSPC was negotiated.
    static func milterValue(_ raw: [UInt8], keepLeadingSpace: Bool) -> [UInt8] {
        var value = raw[...]
        if !keepLeadingSpace, value.first == space { value = value.dropFirst() }
        var out: [UInt8] = []
        out.reserveCapacity(value.count)
        for (index, byte) in zip(value.indices, value) {
            if byte == cr, index + 1 < value.endIndex, value[index + 1] == lf { continue }
            if byte != 0 { out.append(byte) }
        }
        return out
    }

    /// A header value for output: every bare LF becomes CRLF.
    static func crlfFolded(_ value: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(value.count + 4)
        var previous: UInt8 = 0
        for byte in value {
            if byte == lf, previous != cr { out.append(cr) }
            out.append(byte)
            previous = byte
        }
        return out
    }

    /// Body bytes as an MTA handles them: split into lines at LF, one CR before each LF dropped,
    /// each line ended with CRLF (a last line without LF too). Postfix sends the body this way,
    /// and stores a REPLBODY this way.
    static func crlfLines(_ body: [UInt8]) -> [UInt8] {
        guard !body.isEmpty else { return [] }
        var out: [UInt8] = []
        out.reserveCapacity(body.count + body.count / 32 + 2)
        var lineStart = out.count
        for byte in body {
            if byte == lf {
                if out.count > lineStart, out[out.count - 1] == cr { out.removeLast() }
                out += [cr, lf]
                lineStart = out.count
            } else {
                out.append(byte)
            }
        }
        if out.count > lineStart { out += [cr, lf] }
        return out
    }
}
