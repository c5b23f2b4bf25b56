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
