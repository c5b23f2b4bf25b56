import MailMessage
import Testing

struct RawMessageTests {
    struct SplitCase: Sendable, CustomTestStringConvertible {
        let label: String
        let input: String
        let names: [String]
        let values: [String]
        let body: String
        var testDescription: String { label }
    }

    static let splitCases: [SplitCase] = [
        .init(
            label: "CRLF", input: "From: a@b\r\nSubject: hi\r\n\r\nbody\r\n", names: ["From", "Subject"],
            values: [" a@b", " hi"], body: "body\r\n"),
        .init(
            label: "LF only", input: "From: a@b\nSubject: hi\n\nbody\n", names: ["From", "Subject"],
            values: [" a@b", " hi"], body: "body\n"),
        .init(
            label: "folding kept", input: "Subject: one\r\n\ttwo\r\n  three\r\n\r\nx", names: ["Subject"],
            values: [" one\r\n\ttwo\r\n  three"], body: "x"),
        .init(label: "no body", input: "Subject: hi\r\n", names: ["Subject"], values: [" hi"], body: ""),
        .init(label: "no final newline", input: "Subject: hi", names: ["Subject"], values: [" hi"], body: ""),
        .init(
            label: "empty body after blank line", input: "Subject: hi\n\n", names: ["Subject"], values: [" hi"],
            body: ""),
        .init(label: "empty value", input: "X-Empty:\r\n\r\n", names: ["X-Empty"], values: [""], body: ""),
        .init(
            label: "obsolete space before colon", input: "Subject : hi\n\nb", names: ["Subject"], values: [" hi"],
            body: "b"),
        .init(
            label: "non-header line starts body", input: "Subject: hi\nthis is body\nmore\n", names: ["Subject"],
            values: [" hi"], body: "this is body\nmore\n"),
        .init(label: "empty input", input: "", names: [], values: [], body: ""),
        .init(label: "body only", input: "\r\nhello", names: [], values: [], body: "hello"),
        .init(
            label: "mbox From line skipped", input: "From sender@x Mon Jan  1 00:00:00 2024\nTo: a@b\n\nb",
            names: ["To"], values: [" a@b"], body: "b"),
        .init(
            label: "mixed line endings", input: "A: 1\r\nB: 2\n\r\nbody", names: ["A", "B"], values: [" 1", " 2"],
            body: "body"),
        .init(
            label: "colon in value", input: "Date: Mon, 1 Jan 2024 10:00:00 +0000\n\n", names: ["Date"],
            values: [" Mon, 1 Jan 2024 10:00:00 +0000"], body: ""),
    ]

    @Test(arguments: splitCases)
    func split(_ testCase: SplitCase) {
        let raw = RawMessage(parsing: Array(testCase.input.utf8))
        #expect(raw.headerFields.map(\.name) == testCase.names)
        #expect(raw.headerFields.map(\.value) == testCase.values)
        #expect(String(decoding: raw.body, as: UTF8.self) == testCase.body)
        #expect(!raw.isTruncated)
    }

    @Test func lineEndingDetected() {
        #expect(RawMessage(parsing: Array("A: 1\r\n\r\n".utf8)).lineEnding == .crlf)
        #expect(RawMessage(parsing: Array("A: 1\n\n".utf8)).lineEnding == .lf)
    }

    @Test func rawBytesSurviveInvalidUTF8() {
        let input: [UInt8] = Array("Subject: caf".utf8) + [0xE9] + Array("\n\n".utf8) + [0xFF, 0x00]
        let raw = RawMessage(parsing: input)
        #expect(raw.headerFields.first?.valueBytes == Array(" caf".utf8) + [0xE9])
        #expect(Array(raw.body) == [0xFF, 0x00])
    }

    @Test func removeFieldsByName() {
        var raw = RawMessage(parsing: Array("X-Milter-Expect: accept\nSubject: s\nx-milter-expect: b\n\nbody".utf8))
        #expect(raw.removeFields(named: "X-Milter-Expect") == 2)
        #expect(raw.headerFields.map(\.name) == ["Subject"])
        #expect(raw.fields(named: "subject").count == 1)
    }

    @Test func serializedRoundTrip() {
        let input = Array("A: 1\r\nB:  two\r\n\tfolded\r\n\r\nbody\r\n".utf8)
        var raw = RawMessage(parsing: input)
        #expect(raw.serialized() == input)
        raw.removeFields(named: "A")
        #expect(String(decoding: raw.serialized(), as: UTF8.self) == "B:  two\r\n\tfolded\r\n\r\nbody\r\n")
    }

    @Test func parsingPreSplitFieldsMatchesParsingBytes() {
        let input = Array(
            "From: A <a@x.org>\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nhi\r\n--b--\r\n".utf8)
        let fromRaw = MIMEMessage(raw: RawMessage(parsing: input))
        #expect(fromRaw == MIMEMessage(parsing: input))
        #expect(fromRaw.textBody == "hi")
    }

    @Test func bodyWithCRLF() {
        let raw = RawMessage(parsing: Array("A: 1\n\nline1\nline2\r\nline3".utf8))
        #expect(String(decoding: raw.bodyWithCRLF, as: UTF8.self) == "line1\r\nline2\r\nline3")
    }

    @Test func leadingSpaceStripping() {
        let field = RawHeaderField(name: "Subject", value: "  hi")
        #expect(Array(field.valueWithoutLeadingSpace) == Array(" hi".utf8))
    }

    @Test func headerFieldLimitTruncates() {
        let input = (0..<50).map { "X-\($0): v\n" }.joined() + "\nbody"
        let raw = RawMessage(parsing: Array(input.utf8), limits: ParseLimits(maxHeaderFields: 10))
        #expect(raw.headerFields.count == 10)
        #expect(raw.isTruncated)
        #expect(String(decoding: raw.body, as: UTF8.self) == "body")
    }

    @Test func headerByteLimitTruncates() {
        let input = "A: 1\nB: " + String(repeating: "x", count: 500) + "\nC: 3\n\nbody"
        let raw = RawMessage(parsing: Array(input.utf8), limits: ParseLimits(maxHeaderBytes: 100))
        #expect(raw.headerFields.map(\.name) == ["A"])
        #expect(raw.isTruncated)
        #expect(String(decoding: raw.body, as: UTF8.self) == "body")
    }

    @Test func sliceInputKeepsIndices() {
        let bytes = Array("junkA: 1\n\nbody".utf8)
        let raw = RawMessage(parsing: bytes[4...])
        #expect(raw.headerFields.map(\.name) == ["A"])
        #expect(String(decoding: raw.body, as: UTF8.self) == "body")
    }
}
