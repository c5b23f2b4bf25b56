import MailMessage
import Testing

struct AddressListTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let input: String
        let expected: [Mailbox]
        var testDescription: String { input }
        init(_ input: String, _ expected: [(String, String)]) {
            self.input = input
            self.expected = expected.map { Mailbox(name: $0.0, address: $0.1) }
        }
    }

    static let cases: [Case] = [
        Case("ann@example.com", [("", "ann@example.com")]),
        Case("Ann Lee <ann@example.com>", [("Ann Lee", "ann@example.com")]),
        Case("\"Lee, Ann\" <ann@example.com>", [("Lee, Ann", "ann@example.com")]),
        Case("\"Ann \\\"A\\\" Lee\" <ann@example.com>", [("Ann \"A\" Lee", "ann@example.com")]),
        Case("ann@example.com (Ann Lee)", [("Ann Lee", "ann@example.com")]),
        Case("Ann (the boss) Lee <ann@example.com>", [("Ann Lee", "ann@example.com")]),
        Case("a@x.org, B <b@y.org>,, c@z.org", [("", "a@x.org"), ("B", "b@y.org"), ("", "c@z.org")]),
        Case("team: a@x.org, b@x.org;, c@y.org", [("", "a@x.org"), ("", "b@x.org"), ("", "c@y.org")]),
        Case("undisclosed-recipients:;", []),
        Case("<@relay.example:ann@example.com>", [("", "ann@example.com")]),
        Case("ann . lee @ example . com", [("", "ann.lee@example.com")]),
        Case("John Q. Public <jqp@example.com>", [("John Q. Public", "jqp@example.com")]),
        Case("=?utf-8?q?J=C3=BCrgen?= <j@example.de>", [("Jürgen", "j@example.de")]),
        Case("\"=?utf-8?q?J=C3=BCrgen?=\" <j@example.de>", [("Jürgen", "j@example.de")]),
        Case("Jürgen <jürgen@bücher.de>", [("Jürgen", "jürgen@bücher.de")]),
        Case("\"john doe\"@example.com", [("", "\"john doe\"@example.com")]),
        Case("\"john\"@example.com", [("", "john@example.com")]),
        Case("user@[192.0.2.1]", [("", "user@[192.0.2.1]")]),
        Case("Ann <ann@example.com", [("Ann", "ann@example.com")]),
        Case("\"Unterminated <ann@example.com>", [("Unterminated", "ann@example.com")]),
        Case("\"Quoted <with> brackets\"", [("Quoted <with> brackets", "")]),
        Case("Lee, Ann <ann@example.com>", [("Lee, Ann", "ann@example.com")]),
        Case("postmaster", [("", "postmaster")]),
        Case("<>", [("", "")]),
        Case("", []),
    ]

    @Test(arguments: cases)
    func parses(_ testCase: Case) {
        #expect(AddressList(parsing: testCase.input).mailboxes == testCase.expected)
    }

    /// With the comma missing between two mailboxes, the second keeps its name (the words between the
    /// first `>` and the next `<` were dropped) and a bare address after `>` is not lost.
    static let missingCommaCases: [Case] = [
        Case(#""A" <a@example.com> "B" <b@example.com>"#, [("A", "a@example.com"), ("B", "b@example.com")]),
        Case("Ann <a@example.com> Bob Lee <b@example.com>", [("Ann", "a@example.com"), ("Bob Lee", "b@example.com")]),
        Case("<a@example.com> b@example.com", [("", "a@example.com"), ("", "b@example.com")]),
        Case("<a@example.com> <b@example.com>", [("", "a@example.com"), ("", "b@example.com")]),
        Case("Ann <a@example.com> junk", [("Ann", "a@example.com")]),
        Case("Ann <a@example.com> (comment), b@example.com", [("Ann", "a@example.com"), ("", "b@example.com")]),
        Case("a@example.com b@example.com", [("", "a@example.com"), ("", "b@example.com")]),
        Case(
            "a@example.com b@example.com, c@example.com",
            [("", "a@example.com"), ("", "b@example.com"), ("", "c@example.com")]),
        Case("a@example.com (Ann) b@example.com", [("Ann", "a@example.com"), ("", "b@example.com")]),
        Case(
            "<a@example.com> b@example.com c@example.com",
            [("", "a@example.com"), ("", "b@example.com"), ("", "c@example.com")]),
        Case("a @ example . com", [("", "a@example.com")]),
        Case("a@example.com junk", [("", "a@example.com")]),
    ]

    /// A `<` inside angle brackets is no part of the address: `A <<a@x>>` gave the address `<a@x`.
    @Test func doubledAngleBracketsHoldTheAddress() {
        #expect(AddressList(parsing: "A <<a@example.com>>").mailboxes == [Mailbox(name: "A", address: "a@example.com")])
        #expect(AddressList(parsing: "<<<a@example.com>").mailboxes == [Mailbox(address: "a@example.com")])
    }

    /// A quoted local part that is a dot-atom loses its quotes, as one without dots did: `"john.doe"@x`
    /// is `john.doe@x` (RFC 5321 section 4.1.2), so that it compares equal with the unquoted form; it kept
    /// them because of the dot. Python's email package reads it so too.
    static let quotingCases: [Case] = [
        Case(#""john.doe"@example.com"#, [("", "john.doe@example.com")]),
        Case(#""a.b.c"@example.com"#, [("", "a.b.c@example.com")]),
        Case(#""a..b"@example.com"#, [("", #""a..b"@example.com"#)]),
        Case(#"".a"@example.com"#, [("", #"".a"@example.com"#)]),
        Case(#""a."@example.com"#, [("", #""a."@example.com"#)]),
        Case(#""a b"@example.com"#, [("", #""a b"@example.com"#)]),
        Case(#""a@b"@example.com"#, [("", #""a@b"@example.com"#)]),
        Case(#""ünï.code"@example.com"#, [("", "ünï.code@example.com")]),
    ]

    @Test(arguments: quotingCases)
    func quotesStayOnlyWhereTheyAreNeeded(_ testCase: Case) {
        #expect(AddressList(parsing: testCase.input).mailboxes == testCase.expected)
    }

    @Test(arguments: missingCommaCases)
    func missingCommaBetweenMailboxes(_ testCase: Case) {
        #expect(AddressList(parsing: testCase.input).mailboxes == testCase.expected)
    }

    @Test func groupsAreKept() {
        let list = AddressList(parsing: "Team: a@x.org, b@x.org;, c@y.org")
        #expect(list.entries.count == 2)
        guard case .group(let group) = list.entries.first else {
            Issue.record("expected a group")
            return
        }
        #expect(group.name == "Team")
        #expect(group.members.map(\.address) == ["a@x.org", "b@x.org"])
    }

    @Test func mailboxParts() {
        let mailbox = Mailbox(name: "", address: "Ann.Lee@Example.COM")
        #expect(mailbox.localPart == "Ann.Lee")
        #expect(mailbox.domain == "example.com")
        #expect(!mailbox.description.contains("Ann"))
    }

    @Test func foldedValue() {
        let list = AddressList(parsing: Array("Ann\r\n <ann@example.com>,\r\n\tbob@example.com".utf8)[...])
        #expect(list.mailboxes.map(\.address) == ["ann@example.com", "bob@example.com"])
    }
}
