import MailMessage
import Testing

struct ReceivedTests {
    @Test func postfixStyle() {
        let value =
            " from mx.example.com (mx.example.com [192.0.2.7])\r\n\tby mail.example.org (Postfix) with ESMTPS id 4XyzAB\r\n\tfor <bob@example.org>; Tue, 2 Jan 2024 03:04:05 +0000 (UTC)"
        let received = ReceivedHeader(parsing: Array(value.utf8)[...])
        #expect(received.from == "mx.example.com")
        #expect(received.fromComment == "mx.example.com [192.0.2.7]")
        #expect(received.by == "mail.example.org")
        #expect(received.with == "ESMTPS")
        #expect(received.id == "4XyzAB")
        #expect(received.for == "bob@example.org")
        #expect(received.date?.secondsSince1970 == 1_704_164_645)
        #expect(received.fromIP?.description == "192.0.2.7")
    }

    struct IPCase: Sendable, CustomTestStringConvertible {
        let value: String
        let fromIP: String?
        let all: [String]
        var testDescription: String { value }
    }

    static let ipCases: [IPCase] = [
        .init(
            value:
                "from [198.51.100.4] (port=4711 helo=client) by mx with esmtp id 1abc; Tue, 2 Jan 2024 03:04:05 +0000",
            fromIP: "198.51.100.4", all: ["198.51.100.4"]),
        .init(
            value: "from unknown (HELO box) (203.0.113.9) by mail.example with SMTP; 2 Jan 2024 03:04:05 -0000",
            fromIP: "203.0.113.9", all: ["203.0.113.9"]),
        .init(
            value: "from host.example (host.example [IPv6:2001:DB8:0:0::1]) by mx.example (10.0.0.1) with ESMTP",
            fromIP: "2001:db8::1", all: ["2001:db8::1", "10.0.0.1"]),
        .init(value: "by localhost with LMTP id x; Tue, 2 Jan 2024 03:04:05 +0000", fromIP: nil, all: []),
        .init(
            value: "from a.example (b.example [::ffff:192.0.2.1]) by c", fromIP: "::ffff:c000:201",
            all: ["::ffff:c000:201"]),
        // A leading zero makes an IPv4 address ambiguous (octal to inet_aton): no address, not the private 10.0.0.1.
        .init(
            value: "from host.example (host.example [010.0.0.1]) by mx.example (203.0.113.7)", fromIP: nil,
            all: ["203.0.113.7"]),
    ]

    /// The client's address is the one its receiving MTA wrote, not an IP literal the client gave as its
    /// HELO name: `from [10.0.0.1] (unknown [203.0.113.5])` was read as 10.0.0.1, so a spammer chose the
    /// address that firstPublicReceivedIP and the DNSBL checks saw (a private one made them skip the hop).
    static let heloCases: [IPCase] = [
        .init(
            value: "from [10.0.0.1] (unknown [203.0.113.5]) by mx.example (Postfix) with ESMTP id 1",
            fromIP: "203.0.113.5", all: ["10.0.0.1", "203.0.113.5"]),
        .init(
            value: "from [8.8.8.8] (host.example [203.0.113.5] (may be forged)) by mx.example with ESMTP",
            fromIP: "203.0.113.5", all: ["8.8.8.8", "203.0.113.5"]),
        .init(
            value: "from [203.0.113.5] (helo=[10.0.0.1]) by mx.example with esmtp (Exim 4.96)",
            fromIP: "203.0.113.5", all: ["203.0.113.5", "10.0.0.1"]),
        .init(
            value: "from host.example ([203.0.113.5] helo=[10.0.0.1]) by mx.example with esmtp",
            fromIP: "203.0.113.5", all: ["203.0.113.5", "10.0.0.1"]),
        .init(
            value: "from unknown (HELO [10.0.0.1]) (203.0.113.5) by mail.example with SMTP",
            fromIP: "203.0.113.5", all: ["10.0.0.1", "203.0.113.5"]),
        .init(
            value: "from [10.0.0.1] (EHLO [10.0.0.2]) by mail.example with SMTP",
            fromIP: "10.0.0.1", all: ["10.0.0.1", "10.0.0.2"]),
    ]

    @Test(arguments: heloCases)
    func theClientIsWhatTheMTASawNotItsHELO(_ testCase: IPCase) {
        let received = ReceivedHeader(parsing: Array(testCase.value.utf8)[...])
        #expect(received.fromIP?.description == testCase.fromIP)
        #expect(received.ipAddresses.map(\.description) == testCase.all)
    }

    @Test(arguments: ipCases)
    func findsIPs(_ testCase: IPCase) {
        let received = ReceivedHeader(parsing: Array(testCase.value.utf8)[...])
        #expect(received.fromIP?.description == testCase.fromIP)
        #expect(received.ipAddresses.map(\.description) == testCase.all)
    }

    @Test(arguments: [
        ("10.1.2.3", true), ("192.168.0.1", true), ("172.16.5.5", true), ("172.32.0.1", false), ("127.0.0.1", true),
        ("100.64.0.1", true), ("8.8.8.8", false), ("::1", true), ("fd00::1", true), ("fe80::1", true),
        ("2001:db8::1", false), ("::ffff:10.0.0.1", true),
    ])
    func privateRanges(_ text: String, _ isPrivate: Bool) {
        #expect(IPAddress(parsing: text)?.isPrivateOrLocal == isPrivate)
    }

    @Test(arguments: ["1.2.3", "256.1.1.1", "1.2.3.4.5", "+1.2.3.4", "12:34:56", "1::2::3", "g::1", "example.com"])
    func rejectsNonAddresses(_ text: String) {
        #expect(IPAddress(parsing: text) == nil)
    }

    @Test func messageIDs() {
        #expect(MessageID.parse(Array(" <abc@example.com>".utf8)[...]) == "abc@example.com")
        #expect(MessageID.parse(Array(" (comment) <a@b> ".utf8)[...]) == "a@b")
        #expect(MessageID.parse(Array(" bare-id@host".utf8)[...]) == "bare-id@host")
        #expect(MessageID.parseList(Array(" <a@x>\r\n <b@y> <c@z>".utf8)[...]) == ["a@x", "b@y", "c@z"])
        #expect(MessageID.parse(Array("  ".utf8)[...]) == nil)
    }

    /// Whitespace is dropped from inside the brackets (`< a@b >`, broken folding) but not from a quoted
    /// local part, where it is part of the identifier (Python's email package keeps it too).
    @Test func spaceInAQuotedLocalPartIsKept() {
        #expect(MessageID.parse(Array(#" <"quoted local"@example.com>"#.utf8)[...]) == #""quoted local"@example.com"#)
        #expect(MessageID.parse(Array(#" < "a \" b" @ex ample.com >"#.utf8)[...]) == #""a \" b"@example.com"#)
        #expect(MessageID.parse(Array(" < spaced@example.com >".utf8)[...]) == "spaced@example.com")
    }
}
