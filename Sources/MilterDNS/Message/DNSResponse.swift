/// A parsed DNS response ([RFC 1035 §4.1](https://www.rfc-editor.org/rfc/rfc1035#section-4.1)).
///
/// Parsing is strict: every length and count is checked against the bytes that remain, names are
/// limited to 255 bytes and compression pointers must point backwards.
///
/// ```swift
/// let response = try DNSResponse(parsing: datagram)
/// if response.responseCode == .nameError { /* not listed */ }
/// ```
public struct DNSResponse: Hashable, Sendable {
    /// The query ID the response answers.
    public var id: UInt16
    /// The header flags word (QR, opcode, AA, TC, RD, RA, RCODE).
    public var flags: UInt16
    /// The questions echoed back.
    public var questions: [DNSQuestion]
    /// The answer section.
    public var answers: [DNSRecord]
    /// The authority section (an SOA record in negative answers).
    public var authorities: [DNSRecord]
    /// The additional section.
    public var additionals: [DNSRecord]

    /// Creates a response from its parts.
    public init(
        id: UInt16, flags: UInt16, questions: [DNSQuestion], answers: [DNSRecord] = [],
        authorities: [DNSRecord] = [], additionals: [DNSRecord] = []
    ) {
        self.id = id
        self.flags = flags
        self.questions = questions
        self.answers = answers
        self.authorities = authorities
        self.additionals = additionals
    }

    /// True when the QR bit says this is a response.
    public var isResponse: Bool { flags & 0x8000 != 0 }
    /// True when the TC bit is set: the answer did not fit, ask again over TCP.
    public var isTruncated: Bool { flags & 0x0200 != 0 }
    /// The response code.
    public var responseCode: DNSResponseCode { DNSResponseCode(rawValue: UInt8(flags & 0x000F)) }

    /// Parses a whole message (a UDP datagram, or a TCP message without its length prefix).
    public init(parsing bytes: [UInt8]) throws(DNSError) {
        var reader = DNSByteReader(bytes)
        id = try reader.readUInt16()
        flags = try reader.readUInt16()
        let counts = [
            try reader.readUInt16(), try reader.readUInt16(), try reader.readUInt16(), try reader.readUInt16(),
        ]
        let minimum = 5 * Int(counts[0]) + DNSByteReader.minimumRecordLength * counts[1...].reduce(0) { $0 + Int($1) }
        guard minimum <= reader.remaining else { throw DNSError(.countTooLarge, offset: 4) }
        questions = []
        for _ in 0..<counts[0] {
            let name = try reader.readName()
            let type = DNSRecordType(rawValue: try reader.readUInt16())
            questions.append(DNSQuestion(name: name, type: type, recordClass: try reader.readUInt16()))
        }
        answers = try (0..<counts[1]).map { _ throws(DNSError) in try reader.readRecord() }
        authorities = try (0..<counts[2]).map { _ throws(DNSError) in try reader.readRecord() }
        additionals = try (0..<counts[3]).map { _ throws(DNSError) in try reader.readRecord() }
        guard isResponse else { throw DNSError(.notAResponse, offset: 2) }
    }

    /// The header and questions of a message with the TC bit set whose records were cut anywhere, even
    /// inside one (as glibc reads it, which only checks the header and the question before asking over
    /// TCP); `nil` if it is not a truncated response or its questions do not parse. Its records are
    /// dropped: only the TCP answer counts.
    static func truncated(_ bytes: [UInt8]) -> DNSResponse? {
        var reader = DNSByteReader(bytes)
        guard let id = try? reader.readUInt16(), let flags = try? reader.readUInt16(),
            flags & 0x8000 != 0, flags & 0x0200 != 0, let count = try? reader.readUInt16(), count <= 1,
            (try? reader.readBytes(6)) != nil
        else { return nil }
        var questions: [DNSQuestion] = []
        for _ in 0..<count {
            guard let name = try? reader.readName(), let type = try? reader.readUInt16(),
                let recordClass = try? reader.readUInt16()
            else { return nil }
            questions.append(DNSQuestion(name: name, type: DNSRecordType(rawValue: type), recordClass: recordClass))
        }
        return DNSResponse(id: id, flags: flags, questions: questions)
    }

    /// Whether this answers `query`: same ID, a response, and exactly the question asked (its name
    /// spelt with the same letter case too when the query ``DNSQuery/requiresExactCase``).
    public func answers(_ query: DNSQuery) -> Bool {
        id == query.id && isResponse && questions.count == 1 && questions[0].matches(query.question)
            && (!query.requiresExactCase || DNSName.sameSpelling(questions[0].name, query.question.name))
    }
}
