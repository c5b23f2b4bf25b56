import Foundation
import MailMessage
import MilterTestSupport
import Testing

/// Single header values read by MailMessage and by Python's `email` package (its header registry and
/// `email.utils.parsedate_to_datetime`): the lines of `fixtures/eml-peer/values/KIND.txt`, printed by
/// `interop/mailmessage/email_peer.py --values KIND FILE`. Every line must agree except the deliberate
/// differences listed in ``deliberate``. Skips, saying why, when python3 is missing.
struct PythonEmailValueTests {
    static let kinds = ["addresses", "encoded-words", "content-types", "dates"]

    @Test(arguments: kinds)
    func mailMessageReadsValuesAsPythonDoes(_ kind: String) async throws {
        guard let python = ExternalTool.require("python3") else { return }
        let file = PythonEmailDifferentialTests.peerDirectory + "/values/\(kind).txt"
        let script = Corpus.root + "/interop/mailmessage/email_peer.py"
        let result = try await ProcessRunner.run(python, [script, "--values", kind, file]).check(script)
        var differences: [String] = []
        var deliberateSeen: Set<String> = []
        var count = 0
        for line in result.stdout.split(separator: "\n") {
            let pair = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [Any])
            let value = try #require(pair.first as? String)
            let theirs = try Self.canonical(pair[1])
            let ours = try Self.canonical(Self.ourReading(kind, value))
            count += 1
            guard ours != theirs else { continue }
            let key = kind + ": " + value
            if let listed = Self.deliberate[key] {
                deliberateSeen.insert(key)
                let expected = try Self.canonical(
                    JSONSerialization.jsonObject(with: Data(listed.ours.utf8), options: .fragmentsAllowed))
                #expect(ours == expected, "\(key): ours \(ours), listed \(expected)")
            } else {
                differences.append("\(key)\n    ours   \(ours)\n    python \(theirs)")
            }
        }
        #expect(count >= 30, "too few \(kind) values read from \(file)")
        let report = differences.joined(separator: "\n")
        #expect(differences.isEmpty, "\(differences.count) differences:\n\(report)")
        let stale = Set(Self.deliberate.keys.filter { $0.hasPrefix(kind + ": ") }).subtracting(deliberateSeen)
        #expect(stale.isEmpty, "listed as deliberate but no longer different: \(stale.sorted())")
    }

    /// MailMessage's reading of a value, in the shape the peer prints.
    static func ourReading(_ kind: String, _ value: String) -> Any {
        switch kind {
        case "addresses": return AddressList(parsing: value).mailboxes.map { [$0.name, $0.address] }
        case "encoded-words": return EncodedWords.decode(value)
        case "content-types":
            let type = ContentType(parsing: Array((" " + value).utf8)[...])
            return type.parameters.merging(["#type": type.mediaType]) { first, _ in first }
        default:
            guard let date = MailDate(parsing: value) else { return NSNull() }
            return [Int(date.secondsSince1970), date.utcOffsetMinutes]
        }
    }

    /// JSON text with sorted keys, so that equal readings compare equal.
    static func canonical(_ value: Any) throws -> String {
        let data = try JSONSerialization.data(
            withJSONObject: [value], options: [.sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])
        return String(decoding: data, as: UTF8.self)
    }

    /// A deliberate difference: MailMessage's reading (JSON, as ``canonical(_:)`` would print it unsorted)
    /// and why it differs from Python's.
    struct Deliberate: Sendable {
        let ours: String
        let reason: String
    }

    /// Deliberate differences, `kind: value` to our reading, which must stay as listed, and the reason.
    static let deliberate: [String: Deliberate] = [
        "addresses: a@example.com (A B)": Deliberate(
            ours: ##"[["A B","a@example.com"]]"##,
            reason: "a comment is the display name when there is no other"),
        "addresses: (comment) a@example.com": Deliberate(
            ours: ##"[["comment","a@example.com"]]"##,
            reason: "a comment is the display name when there is no other"),
        "addresses: a(c)@(d)example.com": Deliberate(
            ours: ##"[["d","a@example.com"]]"##,
            reason: "a comment is the display name when there is no other (the last one)"),
        "addresses: \"a..b\"@example.com": Deliberate(
            ours: ##"[["","\"a..b\"@example.com"]]"##,
            reason: "a quoted local part that is no dot-atom keeps its quotes; Python drops them"),
        "addresses: a@sub.example.com.": Deliberate(
            ours: ##"[["","a@sub.example.com."]]"##,
            reason: "a trailing dot is kept; Python gives up (\"<>\")"),
        "addresses: g: A <a@example.com>, b@example.com; c@example.com": Deliberate(
            ours: ##"[["A","a@example.com"],["","b@example.com"],["","c@example.com"]]"##,
            reason: "a mailbox after a group; Python raises"),
        "addresses: a@": Deliberate(
            ours: ##"[["","a@"]]"##,
            reason: "an address with no domain is kept as written; Python raises"),
        "addresses: @example.com": Deliberate(
            ours: ##"[["","@example.com"]]"##,
            reason: "an address with no local part is kept as written; Python gives \"<>\""),
        "addresses: A <>": Deliberate(
            ours: ##"[["A",""]]"##,
            reason: "<> is the empty address; Python spells it \"<>\""),
        "addresses: a@example.com b@example.com": Deliberate(
            ours: ##"[["","a@example.com"],["","b@example.com"]]"##,
            reason: "a missing comma between bare addresses: two mailboxes; Python keeps the first"),
        "addresses: \"quoted name only\"": Deliberate(
            ours: ##"[["quoted name only",""]]"##,
            reason: "a quoted string alone is a name; Python makes it an address"),
        "addresses: A <a@example.com> B <b@example.com>": Deliberate(
            ours: ##"[["A","a@example.com"],["B","b@example.com"]]"##,
            reason: "a missing comma between angle addresses: two mailboxes; Python keeps the first"),
        "addresses: \"A\" <a@example.com> \"B\" <b@example.com>": Deliberate(
            ours: ##"[["A","a@example.com"],["B","b@example.com"]]"##,
            reason: "a missing comma between angle addresses: two mailboxes, each with its name; Python keeps the first"
        ),
        "addresses: A@B <a@example.com>": Deliberate(
            ours: ##"[["A@B","a@example.com"]]"##,
            reason:
                "the address is the one in angle brackets; the words before it, even with an @, are the name; Python takes A@B as the address"
        ),
        "encoded-words: =?utf-8?b?w6=k?=": Deliberate(
            ours: ##""�""##,
            reason: "base64 padding ends the quantum (`w6=` is one byte); Python skips it"),
        "encoded-words: =??q?a?=": Deliberate(
            ours: ##""=??q?a?=""##,
            reason: "an encoded word needs a charset (RFC 2047 section 2); Python decodes it"),
        "encoded-words: =?utf-8?q?=ZZ?=": Deliberate(
            ours: ##""=ZZ""##,
            reason: "a bad Q escape is kept as text and the word decoded; Python keeps the whole word"),
        "encoded-words: =?euc-kr?b?x9G x7k=?=": Deliberate(
            ours: ##""=?euc-kr?b?x9G x7k=?=""##,
            reason: "encoded text with a space is not an encoded word (RFC 2047 section 2); Python decodes it"),
        "content-types: text/plain; name=a;b.txt": Deliberate(
            ours: ##"{"#type":"text/plain","name":"a"}"##,
            reason: "text after a `;` with no `=` is no parameter; Python keeps it with an empty value"),
        "content-types: text/plain; name=my file.txt": Deliberate(
            ours: ##"{"#type":"text/plain","name":"my file.txt"}"##,
            reason:
                "an unquoted value may hold spaces (senders that do not quote file names); Python stops at the space"),
        "content-types: text/plain; name==?utf-8?q?caf=C3=A9.txt?=": Deliberate(
            ours: ##"{"#type":"text/plain","name":"café.txt"}"##,
            reason: "an unquoted encoded word is decoded; Python drops the parameter"),
        "content-types: text/plain; name*0=a; name*2=c": Deliberate(
            ours: ##"{"#type":"text/plain","name":"ac"}"##,
            reason: "RFC 2231 sections are joined across a gap; Python stops at it"),
        "content-types: text/plain; name=; other=x": Deliberate(
            ours: ##"{"#type":"text/plain","name":"","other":"x"}"##,
            reason: "an empty value is a parameter; Python drops it"),
        "content-types: text/plain; x=\"1\" (comment) y=2": Deliberate(
            ours: ##"{"#type":"text/plain","x":"1","y":"2"}"##,
            reason: "a missing `;` after a quoted value is tolerated (the comment skipped); Python drops the rest"),
        "content-types: text/plain; x=1; X=2": Deliberate(
            ours: ##"{"#type":"text/plain","x":"1"}"##,
            reason:
                "the first of two same-named parameters wins, as the first of two fields does; Python takes the last"),
        "content-types: multipart/mixed; boundary=----=_Part_1_2.3": Deliberate(
            ours: ##"{"#type":"multipart/mixed","boundary":"----=_Part_1_2.3"}"##,
            reason: "an unquoted value runs to the `;`, `=` included (common in boundaries); Python stops at the `=`"),
        "dates: Tue, 2 Jan 2024 03:04:60 +0000": Deliberate(
            ours: ##"[1704164700,0]"##,
            reason: "second 60 is a leap second (RFC 5322 section 3.3); Python refuses"),
        "dates: Tue, 2 Jan 2024 03:04:05 +0060": Deliberate(
            ours: ##"[1704164645,0]"##,
            reason: "an offset with 60 minutes is no offset (the date counts as UTC); Python reads +01:00"),
        "dates: Tue, 2 Jan 2024 03:04:05 +01": Deliberate(
            ours: ##"[1704161045,60]"##,
            reason: "`+01` is one hour; Python reads one minute"),
        "dates: Tue, 2 Jan 2024 03:04:05 +1": Deliberate(
            ours: ##"[1704164645,0]"##,
            reason: "a one-digit offset is no offset; Python reads one minute"),
        "dates: Tue, 2 Jan 2024 03:04:05 0100": Deliberate(
            ours: ##"[1704164645,0]"##,
            reason: "an offset needs its sign (RFC 5322 section 3.3); Python reads +01:00"),
        "dates: Tue, 2 Jan 2024 03:04:05 CEST": Deliberate(
            ours: ##"[1704157445,120]"##,
            reason: "CEST is +02:00; Python does not know it (UTC)"),
        "dates: Tue, 2 Jan 2024 03:04:05 AST": Deliberate(
            ours: ##"[1704164645,0]"##,
            reason: "AST is ambiguous (Atlantic, Arabia) and not in RFC 5322: UTC; Python reads -04:00"),
        "dates: 2 Jan 2024": Deliberate(
            ours: ##"[1704153600,0]"##,
            reason: "a date without a time is midnight; Python refuses it"),
        "dates: Tue, 2 Jan 2024": Deliberate(
            ours: ##"[1704153600,0]"##,
            reason: "a date without a time is midnight; Python refuses it"),
        "dates: Tue, 2 Jan 2024 03.04.05 +0000": Deliberate(
            ours: ##"[1704153600,0]"##,
            reason: "a time with dots is not read (midnight); Python reads it"),
        "dates: Tue, 2 Jan 2024 03:04:05.123 +0000": Deliberate(
            ours: ##"[1704164645,0]"##,
            reason: "fractional seconds are dropped; Python refuses the date"),
        "dates: Tue, 2 Jan 2024 12:04:05 AM +0000": Deliberate(
            ours: ##"[1704153845,0]"##,
            reason: "12 AM is midnight; Python keeps noon"),
        "dates: 2024/01/02 03:04:05 +0000": Deliberate(
            ours: ##"[1704164645,0]"##,
            reason: "a numeric year-first date is read; Python refuses it"),
        "dates: Tue, 2 Jan 2024 03:04:05 (comment) +0100": Deliberate(
            ours: ##"[1704161045,60]"##,
            reason: "a comment before the zone is CFWS (RFC 5322 section 3.3); Python drops the zone"),
        "dates: Tue, 2 Jan 2024 (03:04:05) +0100": Deliberate(
            ours: ##"[1704153600,0]"##,
            reason:
                "a time in a comment is no time (midnight, and the offset after it is not read); Python refuses the date"
        ),
        "dates: Sun, 1 Jan 50 00:00:00 +0000": Deliberate(
            ours: ##"[-631152000,0]"##,
            reason: "a two-digit year 50-99 is 19xx (RFC 5322 section 4.3); Python says 20xx"),
        "dates: Sat, 1 Jan 124 00:00:00 +0000": Deliberate(
            ours: ##"[1704067200,0]"##,
            reason: "a three-digit year is + 1900 (RFC 5322 section 4.3); Python keeps it"),
        "addresses: A <a@example.com>; B <b@example.com>": Deliberate(
            ours: ##"[["A","a@example.com"],["B","b@example.com"]]"##,
            reason: "`;` outside a group separates mailboxes (Outlook's habit); Python keeps the first"),
        "addresses: a@example.com;b@example.com": Deliberate(
            ours: ##"[["","a@example.com"],["","b@example.com"]]"##,
            reason: "`;` outside a group separates mailboxes (Outlook's habit); Python keeps the first"),
        "addresses: a@example.com <a@example.com>": Deliberate(
            ours: ##"[["a@example.com","a@example.com"]]"##,
            reason: "the words before an angle address are its name, even an address; Python drops them"),
        "addresses: A <a\\@b@example.com>": Deliberate(
            ours: ##"[["A","a\\@b@example.com"]]"##,
            reason: "a quoted pair outside quotes is kept as written; Python gives up"),
        "addresses: g1: a@example.com; g2: b@example.com;": Deliberate(
            ours: ##"[["","a@example.com"],["","b@example.com"]]"##,
            reason: "two groups in one list; Python raises"),
        "addresses: Ann Lee": Deliberate(
            ours: ##"[["Ann Lee",""]]"##,
            reason: "words without an address are a name; Python makes them a quoted address"),
        "addresses: A <<a@example.com>>": Deliberate(
            ours: ##"[["A","a@example.com"]]"##,
            reason: "doubled angle brackets hold the address; Python gives up"),
        "content-types: application/octet-stream; name=\"a.pdf\"; name*=utf-8''b.pdf": Deliberate(
            ours: ##"{"#type":"application/octet-stream","name":"b.pdf"}"##,
            reason: "an RFC 2231 name* beats a plain name; Python takes the plain one"),
        "content-types: text/plain; a=b=c": Deliberate(
            ours: ##"{"#type":"text/plain","a":"b=c"}"##,
            reason: "an unquoted value runs to the `;`, `=` included; Python stops at the `=`"),
        "encoded-words: =?=?utf-8?q?a?=": Deliberate(
            ours: ##""=?a""##,
            reason: "an encoded word glued to the text before it is decoded (real mail does that); Python keeps it"),
    ]
}
