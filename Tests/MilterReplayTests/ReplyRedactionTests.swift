import Foundation
import MilterCapture
import MilterClient
import MilterProtocol
import Testing

@testable import MilterReplayKit

/// The envelope addresses a refusal's text quotes (Sendmail's `usrerr` writes `<address>... `, milters write them
/// too) are shape-redacted in every output of `replay` unless values are shown (`--show-values`).
struct ReplyRedactionTests {
    static let sender = EnvelopeAddress(mailbox: "alice@example.org")
    static let bob = EnvelopeAddress(mailbox: "bob@example.net")
    static let refusal = "550 5.1.1 <bob@example.net>... User unknown"
    static let redactedRefusal = "550 5.1.1 <xxx@xxxxxxx.xxx>... User unknown"

    static func outcome(_ result: TransactionResult) -> MessageOutcome {
        let message = MilterMessage(sender: sender, recipients: [bob], headerFields: [], body: [])
        return MessageOutcome(
            sequence: 0, entry: CorpusEntry(path: "m.eml", message: message, expected: .accept), result: result,
            connectError: nil, connectionFindings: [], latency: .milliseconds(1))
    }

    /// Refused at RCPT by Sendmail's text, then at end of message by a milter naming the sender itself.
    static let refused = outcome(
        TransactionResult(
            steps: [], verdict: .reject, smtpReply: "550 5.7.1 ALICE@example.org is not welcome",
            rejectedRecipients: [(bob, refusal)]))

    @Test(arguments: [false, true])
    func theTextRowRedactsTheReplyAndTheQuarantineReason(showsValues: Bool) {
        let quarantined = Self.outcome(
            TransactionResult(steps: [], verdict: .quarantine, quarantineReason: "held for <bob@example.net>"))
        let rows = [
            TextReport.line(Self.refused, showsValues: showsValues),
            TextReport.line(quarantined, showsValues: showsValues),
        ]
        if showsValues {
            #expect(rows[0].contains(#""550 5.7.1 ALICE@example.org is not welcome""#), "\(rows[0])")
            #expect(rows[1].contains(#"quarantine="held for <bob@example.net>""#), "\(rows[1])")
        } else {
            #expect(rows[0].contains(#""550 5.7.1 xxxxx@xxxxxxx.xxx is not welcome""#), "\(rows[0])")
            #expect(rows[1].contains(#"quarantine="held for <xxx@xxxxxxx.xxx>""#), "\(rows[1])")
        }
    }

    @Test(arguments: [false, true])
    func theJSONObjectRedactsTheReplyAndTheRefusedRecipients(showsValues: Bool) throws {
        let line = JSONReport.line(Self.refused, includeMessage: false, showsValues: showsValues)
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
        let recipients = object["rejectedRecipients"] as? [String]
        if showsValues {
            #expect(object["reply"] as? String == "550 5.7.1 ALICE@example.org is not welcome")
            #expect(recipients == ["<bob@example.net> \(Self.refusal)"])
        } else {
            #expect(object["reply"] as? String == "550 5.7.1 xxxxx@xxxxxxx.xxx is not welcome")
            #expect(recipients == ["<xxx@xxxxxxx.xxx> \(Self.redactedRefusal)"])
            #expect(!line.lowercased().contains("example"), "\(line)")
        }
    }

    /// The failure of a test case (a mismatch) carries its row, reply included.
    @Test(arguments: [false, true])
    func theJUnitRowRedactsTheReply(showsValues: Bool) {
        let xml = JUnitReport.document([Self.refused], seconds: 1, showsValues: showsValues)
        #expect(xml.contains("<failure message=\"expected accept, got reject\"/>"), "\(xml)")
        #expect(xml.contains("ALICE@example.org is not welcome") == showsValues, "\(xml)")
        #expect(xml.contains("xxxxx@xxxxxxx.xxx is not welcome") == !showsValues, "\(xml)")
    }

    /// A replayed capture's differences (text, JSON and HTML report alike) quote the session's addresses only
    /// when values are shown: the milter's REPLYCODE names the recipient, the MTA's refusal the sender.
    @Test(arguments: [false, true])
    func aCapturesDifferencesRedactTheSessionsAddresses(showsValues: Bool) throws {
        let recorded = [
            RecordedStep(number: 1, command: .mail(Self.sender), macros: [], packet: 10, replies: [.continue]),
            RecordedStep(
                number: 2, command: .recipient(Self.bob), macros: [], packet: 12,
                replies: [.replyCode("550 5.1.1 <bob@example.net>... User unknown")]),
            RecordedStep(number: 3, command: .data, macros: [], packet: 14, replies: [.continue]),
        ]
        let script = ReplayScript(
            label: "stream 0", offer: ReplayComparatorTests.offer,
            negotiationReplies: [.optionNegotiation(ReplayComparatorTests.answer)], recordedOptions: nil,
            steps: recorded)
        let replay = ReplayComparatorTests.replay([
            ReplayComparatorTests.awaited(.mail, [.continue]),
            ReplayComparatorTests.awaited(.recipient, [.replyCode("550 5.2.2 <bob@example.net>... Mailbox full")]),
            StepRecord(command: .data, delivery: .notSent, smtpReply: "554 5.5.1 <alice@example.org>... no"),
        ])
        let comparison = ReplayComparator(mask: ReplyMask(), showsValues: showsValues).compare(script, with: replay)
        #expect(comparison.differences.map(\.steps) == [2...2, 3...3])
        let outcome = SessionOutcome(sequence: 0, label: "stream 0", result: .compared(comparison), latency: .zero)
        let row = PcapHTMLReport.row(outcome).detail
        #expect(row.contains("<bob@example.net>... Mailbox full") == showsValues, "\(row)")
        for text in [PcapReport.text(outcome), PcapReport.json(outcome)] {
            #expect(text.contains("bob@example.net") == showsValues, "\(text)")
            #expect(text.contains("alice@example.org") == showsValues, "\(text)")
        }
        let shown = showsValues ? ("bob@example.net", "alice@example.org") : ("xxx@xxxxxxx.xxx", "xxxxx@xxxxxxx.xxx")
        #expect(comparison.differences[0].recorded == #"REPLYCODE text="550 5.1.1 <\#(shown.0)>... User unknown""#)
        #expect(comparison.differences[1].now == #"not sent (the MTA answers "554 5.5.1 <\#(shown.1)>... no")"#)
    }

    @Test func theRedactionFindsEachAddressInAnyCaseWithOrWithoutBrackets() {
        let redaction = EnvelopeRedaction(["<Bob@Example.net>", "<>", "carol@example.net"], showsValues: false)
        #expect(
            redaction("550 bob@example.NET, <CAROL@example.net>; <> bob@example")
                == "550 xxx@xxxxxxx.xxx, <xxxxx@xxxxxxx.xxx>; <> bob@example")
        #expect(EnvelopeRedaction(["<bob@example.net>"], showsValues: true)("bob@example.net") == "bob@example.net")
        #expect(EnvelopeRedaction([], showsValues: false)("550 no") == "550 no")
    }

    /// An address is found wherever no letter or digit is next to it: not inside a longer word, but after `=`,
    /// next to non-ASCII quotes, or before `@host` (a local part the MTA qualified).
    @Test func anAddressIsFoundOnlyWhereItIsNotPartOfALongerWord() {
        let redaction = EnvelopeRedaction(["<bob>", "<al@example.net>"], showsValues: false)
        #expect(
            redaction("550 5.1.1 <bob>... User unknown; bobby, Bob. and kal@example.net are not bob-x")
                == "550 5.1.1 <xxx>... User unknown; bobby, xxx. and kal@example.net are not xxx-x")
        #expect(redaction("al@example.net.") == "xx@xxxxxxx.xxx.")
        #expect(redaction("envelope-from=al@example.net; bob@mx") == "envelope-from=xx@xxxxxxx.xxx; xxx@mx")
        #expect(redaction("«al@example.net»") == "«xx@xxxxxxx.xxx»")
    }

    /// An address with a NUL is redacted whole, not only up to the NUL: the JSON object's refused recipients
    /// showed what followed it in clear.
    @Test func anAddressWithANULIsRedactedWhole() throws {
        let carol = EnvelopeAddress(mailbox: "carol@exa\u{0}mple.net")
        let message = MilterMessage(sender: Self.sender, recipients: [carol], headerFields: [], body: [])
        let outcome = MessageOutcome(
            sequence: 0, entry: CorpusEntry(path: "m.eml", message: message, expected: .accept),
            result: TransactionResult(
                steps: [], verdict: .reject, rejectedRecipients: [(carol, "554 5.5.1 <carol@exa\u{0}mple.net> no")]),
            connectError: nil, connectionFindings: [], latency: .milliseconds(1))
        let line = JSONReport.line(outcome, includeMessage: false, showsValues: false)
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
        let recipients = try #require(object["rejectedRecipients"] as? [String])
        #expect(recipients == [#"<xxxxx@xxx\0xxxx.xxx> 554 5.5.1 <xxxxx@xxx\0xxxx.xxx> no"#], "\(line)")
        #expect(!line.contains("mple") && !line.contains("net"), "\(line)")
        let redaction = EnvelopeRedaction([MilterString(bytes: Array("<b\0ob@example.net>".utf8))], showsValues: false)
        #expect(redaction("550 <b\0ob@example.net>, <b>") == #"550 <x\0xx@xxxxxxx.xxx>, <x>"#)
    }

    /// Sendmail writes an address of 203 bytes or more shortened (`shortenstring`): both halves are found.
    @Test func aShortenedAddressIsRedactedToo() {
        let address = "<" + String(repeating: "a", count: 150) + "@" + String(repeating: "b", count: 60) + ".example>"
        let shortened = "\(address.prefix(100))...\(address.suffix(100))"
        let redacted = EnvelopeRedaction([MilterString(address)], showsValues: false)("550 5.7.1 \(shortened)... no")
        #expect(!redacted.contains("aaa") && !redacted.contains("bbb") && !redacted.contains("example"), "\(redacted)")
        #expect(redacted.hasPrefix("550 5.7.1 <") && redacted.hasSuffix(">... no"), "\(redacted)")
    }
}
