/// Where each interop pitfall of PROTOCOL.md §G is checked: by named cases, or in every case by the fake MTA's
/// checks of each reply. docs/conformance-cases.md prints it; a test checks that every named case exists.
package enum PitfallCoverage {
    /// A pitfall, and where it is checked.
    package struct Entry: Sendable {
        package let number: Int
        package let pitfall: String
        /// The cases that check it.
        package let cases: [String]
        /// How it is checked beyond the named cases, or why it is no milter's concern.
        package let note: String?
    }

    package static let entries: [Entry] = [
        Entry(
            number: 1, pitfall: "Answering ABORT, MACRO or QUIT",
            cases: ["abort.no-reply", "abort.double", "macro.no-reply", "session.quit-no-reply"], note: nil),
        Entry(
            number: 2, pitfall: "ABORT after every message, sometimes twice; state resets",
            cases: ["abort.after-every-message", "abort.double", "session.three-messages"], note: nil),
        Entry(
            number: 3, pitfall: "MACRO packets of stage L, B, or with no pairs",
            cases: ["macro.stage-L", "macro.stage-B", "macro.empty-packet"], note: nil),
        Entry(
            number: 4, pitfall: "Macros for events a NO flag switched off",
            cases: ["event.connect-no", "event.helo-no", "event.mail-no", "event.rcpt-no", "event.header-no"], note: nil
        ),
        Entry(number: 5, pitfall: "A connection closed without QUIT", cases: ["session.eof-without-quit"], note: nil),
        Entry(
            number: 6, pitfall: "REPLYCODE then REJECT: a double reply", cases: [],
            note: "every case: a second reply is a finding, and fails the case"),
        Entry(
            number: 7, pitfall: "A reply despite a negotiated NR flag",
            cases: [
                "event.connect-nr", "event.helo-nr", "event.mail-nr", "event.rcpt-nr", "event.data-nr",
                "event.header-nr", "event.eoh-nr", "event.body-nr", "event.unknown-nr",
            ], note: nil),
        Entry(
            number: 8, pitfall: "Modifications before end of message", cases: [],
            note: "every case: a modification before end of message is a finding"),
        Entry(
            number: 9, pitfall: "One rejected RCPT does not end the session", cases: ["session.fifty-recipients"],
            note: "the MTA's rule; for the milter, each RCPT after a refused one is answered"),
        Entry(
            number: 10, pitfall: "Header leading space (HDR_LEADSPC); values with LF",
            cases: ["header.leading-space", "header.folded"], note: nil),
        Entry(number: 11, pitfall: "An empty header value", cases: ["header.empty-value"], note: nil),
        Entry(
            number: 12, pitfall: "Sendmail's IPv6: address prefix", cases: ["connect.ipv6"],
            note: "with --mta sendmail"),
        Entry(
            number: 13, pitfall: "REPLYCODE syntax", cases: [],
            note:
                "every case: each REPLYCODE is checked as the MTA checks it: with --mta sendmail line by line (code,"
                + " enhanced code, escaped %); with Postfix only its start, as Postfix 3.7 does"),
        Entry(
            number: 14, pitfall: "ADDRCPT_PAR and CHGFROM arguments in one string", cases: [],
            note: "every case: a second argument string is a malformed reply"),
        Entry(
            number: 15, pitfall: "Version 2, 3 and 4 offers",
            cases: ["version.v2-offer", "version.v3-offer", "version.v4-offer", "version.v7-offer"], note: nil),
        Entry(number: 16, pitfall: "An empty symbol list", cases: [], note: "the MTA's reading of the milter's answer"),
        Entry(
            number: 17, pitfall: "QUIT_NC, then CONNECT without OPTNEG",
            cases: ["session.quit-nc-reuse", "session.quit-nc-three-sessions"], note: nil),
        Entry(
            number: 18, pitfall: "Oversized frames and garbage lengths",
            cases: ["frame.garbage-length", "frame.smtp-first", "frame.body-chunk-65536"], note: nil),
        Entry(number: 19, pitfall: "A length of 0", cases: ["frame.length-zero"], note: nil),
        Entry(
            number: 20, pitfall: "MDS and internal bits in the offer", cases: ["version.mds-bits-offered"], note: nil),
        Entry(
            number: 21, pitfall: "REPLBODY interleaved with other edits", cases: [],
            note: "every case: an interleaved REPLBODY is a finding"),
        Entry(
            number: 22, pitfall: "SKIP without SMFIP_SKIP; PROGRESS or QUARANTINE outside end of message", cases: [],
            note: "every case; QUARANTINE outside end of message with either MTA, PROGRESS with --mta sendmail"),
        Entry(
            number: 23, pitfall: "CONNECT host name forms: [1.2.3.4], family U",
            cases: ["connect.unresolved-name", "connect.unknown-family"], note: nil),
    ]

    /// The Markdown section.
    package static var markdown: String {
        var out =
            "\n## PROTOCOL.md §G pitfalls\n\nWhere each interop pitfall is checked. \"Every case\" means the fake "
        out += "MTA checks each reply the milter sends, in every case, and a broken rule fails the case.\n\n"
        out += "| # | Pitfall | Checked by |\n|---|---|---|\n"
        for entry in entries {
            let cases = entry.cases.map { "`\($0)`" }
            let checked = (cases + (entry.note.map { [$0] } ?? [])).joined(separator: "; ")
            out += "| \(entry.number) | \(entry.pitfall) | \(checked) |\n"
        }
        return out
    }
}
