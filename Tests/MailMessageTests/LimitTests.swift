import MailMessage
import Testing

/// Large and hostile inputs generated in code rather than committed.
struct LimitTests {
    static let header = "From: alice@example.com\r\nTo: bob@example.org\r\nSubject: generated\r\n"

    /// `levels` nested multiparts, each with its own boundary, the innermost holding text.
    static func nested(levels: Int) -> [UInt8] {
        var text = header
        for level in 0..<levels {
            text += "Content-Type: multipart/mixed; boundary=\"b\(level)\"\r\n\r\n--b\(level)\r\n"
        }
        text += "Content-Type: text/plain\r\n\r\nDeepest.\r\n"
        for level in (0..<levels).reversed() { text += "--b\(level)--\r\n" }
        return Array(text.utf8)
    }

    @Test func thousandLevelNestingStopsAtTheDepthLimit() {
        let message = MIMEMessage(parsing: Self.nested(levels: 1000))
        #expect(message.isTruncated)
        #expect(message.partCount == ParseLimits.default.maxDepth + 1)
        #expect(message.subject == "generated")
        #expect(message.textBody == "")
    }

    /// The deepest limit allowed, reached for real on a test (cooperative pool) thread: the
    /// recursion must fit its stack.
    @Test func thousandLevelsAtTheMaximumLimit() async {
        let message = MIMEMessage(parsing: Self.nested(levels: 999), limits: ParseLimits(maxDepth: 5_000))
        #expect(!message.isTruncated)
        #expect(message.partCount == 1_000)
        #expect(message.textBody == "Deepest.")
    }

    @Test func nestingWithinACustomLimit() {
        let message = MIMEMessage(parsing: Self.nested(levels: 20), limits: ParseLimits(maxDepth: 30))
        #expect(!message.isTruncated)
        #expect(message.textBody == "Deepest.")
    }

    @Test func thousandLevelsOfEmbeddedMessages() {
        var text = ""
        for _ in 0..<1000 { text += Self.header + "Content-Type: message/rfc822\r\n\r\n" }
        text += Self.header + "\r\nInnermost.\r\n"
        let message = MIMEMessage(parsing: Array(text.utf8))
        #expect(message.isTruncated)
        #expect(message.allParts.count == ParseLimits.default.maxDepth + 1)
    }

    @Test func encodedContainerChainsDoNotMultiplyMemory() {
        // Quoted-printable decoding of this text is the identity, so each level would copy the rest.
        var text = ""
        for _ in 0..<60 {
            text += Self.header + "Content-Type: message/rfc822\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
        }
        text += String(repeating: "x", count: 100_000)
        let message = MIMEMessage(parsing: Array(text.utf8))
        #expect(message.isTruncated)
        #expect(message.allParts.count < 5)
    }

    @Test func tenMegabyteAttachment() {
        let payload = (0..<(10 * 1024 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
        let encoded = Self.base64Lines(payload)
        let text =
            Self.header
            + "Content-Type: multipart/mixed; boundary=big\r\n\r\n--big\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n"
            + "--big\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=big.bin\r\n"
            + "Content-Transfer-Encoding: base64\r\n\r\n" + encoded + "\r\n--big--\r\n"
        let message = MIMEMessage(parsing: Array(text.utf8))
        #expect(message.textBody == "See attached.")
        let attachments = message.attachments
        #expect(attachments.count == 1)
        #expect(attachments.first?.filename == "big.bin")
        #expect(attachments.first?.size == payload.count)
        #expect(attachments.first?.data == payload)
    }

    @Test func partLimit() {
        var text = Self.header + "Content-Type: multipart/mixed; boundary=p\r\n\r\n"
        for index in 0..<500 { text += "--p\r\nContent-Type: text/plain\r\n\r\npart \(index)\r\n" }
        text += "--p--\r\n"
        let message = MIMEMessage(parsing: Array(text.utf8), limits: ParseLimits(maxParts: 100))
        #expect(message.isTruncated)
        #expect(message.partCount == 100)
        #expect(message.allParts.count == 100)
    }

    @Test func headerLimitsApplyToParts() {
        var text = Self.header + "Content-Type: multipart/mixed; boundary=h\r\n\r\n--h\r\n"
        for index in 0..<100 { text += "X-Field-\(index): v\r\n" }
        text += "\r\nbody\r\n--h--\r\n"
        let message = MIMEMessage(parsing: Array(text.utf8), limits: ParseLimits(maxHeaderFields: 50))
        #expect(message.isTruncated)
        #expect(message.textBody == "body")
    }

    @Test func manyEmptyBoundariesStayLinear() {
        let text =
            Self.header + "Content-Type: multipart/mixed; boundary=x\r\n\r\n"
            + String(repeating: "--x\r\n", count: 200_000)
        let message = MIMEMessage(parsing: Array(text.utf8))
        #expect(message.isTruncated)
        #expect(message.partCount == ParseLimits.default.maxParts)
    }

    @Test func hugeHeaderValue() {
        let text =
            "Subject: " + String(repeating: "=?utf-8?q?a?= ", count: 50_000) + "\r\nTo: "
            + String(repeating: "a@b, ", count: 50_000) + "\r\n\r\nbody"
        let message = MIMEMessage(parsing: Array(text.utf8))
        #expect(message.subject == String(repeating: "a", count: 50_000))
        #expect(message.to.count == 50_000)
    }

    /// A long run of spaces in a quoted-printable body is read once. Each space looked ahead to the end of
    /// its run to see whether a line break followed, so 100,000 spaces took minutes: any sender could
    /// stall a milter that read the text of a part. (The limit stops the test where the bug made it hang.)
    @Test(.timeLimit(.minutes(1))) func longSpaceRunsInQuotedPrintableStayLinear() {
        let run = [UInt8](repeating: 0x20, count: 130_000)
        let body = Array("a".utf8) + run + Array("b\r\nc".utf8) + run + Array("\r\nd=\r\ne".utf8) + run
        #expect(QuotedPrintable.decode(body[...]) == Array("a".utf8) + run + Array("b\r\nc\r\nde".utf8))
    }

    /// A Received field with tens of thousands of distinct IP literals is scanned in linear time: each
    /// address was compared with every one found before it.
    @Test(.timeLimit(.minutes(1))) func manyIPLiteralsInAReceivedFieldStayLinear() {
        let count = 30_000
        var value = "from client.example ("
        for index in 0..<count { value += "10.\(index / 65_536).\(index / 256 % 256).\(index % 256) " }
        value += "10.0.0.0) by mx.example"
        let received = ReceivedHeader(parsing: Array(value.utf8)[...])
        #expect(received.ipAddresses.count == count)
        #expect(received.fromIP?.description == "10.0.0.0")
    }

    static func base64Lines(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count / 3 * 4 + bytes.count / 57 * 2 + 8)
        var index = 0
        while index < bytes.count {
            let available = min(3, bytes.count - index)
            var value = Int(bytes[index]) << 16
            if available > 1 { value |= Int(bytes[index + 1]) << 8 }
            if available > 2 { value |= Int(bytes[index + 2]) }
            for position in 0..<4 {
                out.append(position <= available ? alphabet[(value >> (18 - 6 * position)) & 63] : 0x3D)
            }
            index += 3
            if index % 57 == 0 { out += [13, 10] }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
