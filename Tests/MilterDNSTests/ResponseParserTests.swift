import Testing

@testable import MilterDNS

/// The response parser on byte fixtures, good and hostile.
@Suite struct ResponseParserTests {
    @Test func parsesACompressedAnswer() throws {
        let response = try DNSResponse(parsing: Fixtures.listed)
        #expect(response.id == 0x1234)
        #expect(response.responseCode == .noError)
        #expect(!response.isTruncated)
        #expect(response.questions == [DNSQuestion(name: "2.0.0.127.zen.test", type: .a)])
        #expect(
            response.answers == [DNSRecord(name: "2.0.0.127.zen.test", type: .a, ttl: 60, data: .a([127, 0, 0, 2]))])
    }

    @Test func parsesTXTAndAAAAAndCNAME() throws {
        let txt = Fixtures.record(type: 16, data: [3] + Array("abc".utf8) + [0])
        let aaaa = Fixtures.record(type: 28, data: [0x20, 0x01, 0x0D, 0xB8] + Array(repeating: 0, count: 11) + [1])
        let cname = Fixtures.record(type: 5, data: Fixtures.label("x") + [0xC0, 0x0C])
        let response = try DNSResponse(parsing: Fixtures.response(answers: [txt, aaaa, cname]))
        #expect(
            response.answers.map(\.data) == [
                .txt([Array("abc".utf8), []]), .aaaa([0x20, 0x01, 0x0D, 0xB8] + Array(repeating: 0, count: 11) + [1]),
                .cname("x.2.0.0.127.zen.test"),
            ])
    }

    @Test func matchesOnlyItsQuery() throws {
        let response = try DNSResponse(parsing: Fixtures.listed)
        let question = DNSQuestion(name: "2.0.0.127.ZEN.test.", type: .a)
        #expect(response.answers(DNSQuery(id: 0x1234, question: question)))
        #expect(!response.answers(DNSQuery(id: 0x1235, question: question)))
        #expect(!response.answers(DNSQuery(id: 0x1234, question: DNSQuestion(name: "3.0.0.127.zen.test", type: .a))))
        #expect(!response.answers(DNSQuery(id: 0x1234, question: DNSQuestion(name: question.name, type: .txt))))
    }

    @Test func nxdomainAndTruncationFlags() throws {
        #expect(try DNSResponse(parsing: Fixtures.response(answers: [], flags: 0x8183)).responseCode == .nameError)
        #expect(try DNSResponse(parsing: Fixtures.response(answers: [], flags: 0x8380)).isTruncated)
    }

    @Test func queryEncodesAndIsNotAResponse() throws {
        let wire = try DNSQuery(id: 0x1234, question: DNSQuestion(name: "2.0.0.127.zen.test", type: .a)).encoded()
        #expect(wire == Fixtures.header(flags: 0x0100, counts: [1, 0, 0, 0]) + Fixtures.name + [0, 1, 0, 1])
        #expect(throws: DNSError(.notAResponse, offset: 2)) { try DNSResponse(parsing: wire) }
    }

    @Test(arguments: [
        "a..b", String(repeating: "x", count: 64) + ".test",
        Array(repeating: "abcdefgh", count: 32).joined(separator: "."),
    ])
    func unencodableNamesAreRefused(_ name: String) {
        #expect(throws: DNSError(.invalidName)) {
            try DNSQuery(id: 1, question: DNSQuestion(name: name, type: .a)).encoded()
        }
    }

    /// Hostile inputs: each must throw its own kind, never trap or loop.
    static let hostile: [(String, [UInt8], DNSError.Kind)] = [
        ("pointer to itself", Fixtures.header(counts: [1, 0, 0, 0]) + [0xC0, 0x0C, 0, 1, 0, 1], .compressionLoop),
        ("forward pointer", Fixtures.header(counts: [1, 0, 0, 0]) + [0xC0, 0x10, 0, 1, 0, 1, 0], .compressionLoop),
        (
            "pointer back into its own name", Fixtures.header(counts: [1, 0, 0, 0]) + [1, 65, 0xC0, 0x0C, 0, 1],
            .compressionLoop
        ),
        ("reserved label type", Fixtures.header(counts: [1, 0, 0, 0]) + [0x80, 0, 0, 1, 0, 1], .badLabel),
        (
            "answer count beyond the bytes",
            Fixtures.header(counts: [1, 0xFFFF, 0, 0]) + Fixtures.name + [0, 1, 0, 1], .countTooLarge
        ),
        ("question count beyond the bytes", Fixtures.header(counts: [0xFFFF, 0, 0, 0xFFFF]), .countTooLarge),
        ("short header", [0x12, 0x34, 0x81], .truncatedMessage),
        ("label past the end", Fixtures.header(counts: [1, 0, 0, 0]) + [10, 65, 65, 0, 1, 0], .truncatedMessage),
        (
            "A record of 5 bytes", Fixtures.response(answers: [Fixtures.record(type: 1, data: [127, 0, 0, 2, 9])]),
            .badRecordLength
        ),
        (
            "TXT string past its record", Fixtures.response(answers: [Fixtures.record(type: 16, data: [9, 65])]),
            .badRecordLength
        ),
        (
            "CNAME past its record", Fixtures.response(answers: [Fixtures.record(type: 5, data: [3, 65])]),
            .badRecordLength
        ),
        (
            "data length past the end",
            Fixtures.response(answers: [[0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 60, 0xFF, 0xFF, 127]]), .truncatedMessage
        ),
        (
            "name over 255 bytes",
            Fixtures.header(counts: [1, 0, 0, 0])
                + Array(repeating: [63] + Array(repeating: 65, count: 63), count: 5).flatMap { $0 } + [0, 0, 1, 0, 1],
            .nameTooLong
        ),
    ]

    @Test(arguments: hostile.indices)
    func hostileInputsThrowTypedErrors(_ index: Int) {
        let (what, bytes, kind) = Self.hostile[index]
        do {
            _ = try DNSResponse(parsing: bytes)
            Issue.record("\(what): parsed")
        } catch {
            #expect(error.kind == kind, "\(what): \(error)")
        }
    }

    @Test func everyTruncationOfAGoodResponseThrows() {
        for length in 0..<Fixtures.listed.count {
            #expect(throws: DNSError.self) { try DNSResponse(parsing: Array(Fixtures.listed.prefix(length))) }
        }
    }

    @Test func longPointerChainsAreCut() throws {
        // A record's data holds 200 one-label names, each pointing to the one before (a legal,
        // strictly backwards chain); the next record's owner points to the last of them.
        var chain: [UInt8] = []
        var previous = 12
        let dataStart = 12 + Fixtures.name.count + 4 + 12
        for _ in 0..<200 {
            let here = dataStart + chain.count
            chain += [1, 65, 0xC0 | UInt8(previous >> 8), UInt8(previous & 0xFF)]
            previous = here
        }
        var bytes = Fixtures.header(counts: [1, 2, 0, 0]) + Fixtures.name + [0, 1, 0, 1]
        bytes += Fixtures.record(type: 99, data: chain)
        bytes += [0xC0 | UInt8(previous >> 8), UInt8(previous & 0xFF), 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 1, 2, 3, 4]
        // The jump limit (64) stops it before the 255-byte limit would.
        #expect { try DNSResponse(parsing: bytes) } throws: { ($0 as? DNSError)?.kind == .compressionLoop }
    }

    @Test func errorDescriptionsHoldNoName() {
        let error = DNSError(.timeout)
        #expect(error.description == "DNS: timed out")
        #expect(DNSError(.compressionLoop, offset: 12).description == "DNS: name compression loop at byte 12")
    }

    @Test func aTruncatedAnswerCutInsideARecordKeepsItsHeaderAndQuestion() throws {
        var cut = Fixtures.listed
        cut[2] |= 0x02  // TC
        cut.removeLast(3)
        #expect(throws: DNSError.self) { try DNSResponse(parsing: cut) }
        let response = try #require(DNSResponse.truncated(cut))
        #expect(response.isTruncated && response.answers.isEmpty)
        #expect(response.questions.map(\.name) == ["2.0.0.127.zen.test"] && response.id == 0x1234)
        // Not truncated, or not a response: not taken.
        #expect(DNSResponse.truncated(Array(Fixtures.listed.dropLast(3))) == nil)
        var query = cut
        query[2] &= 0x7F
        #expect(DNSResponse.truncated(query) == nil)
    }
}
