import Foundation
import MailMessage
import MilterTestSupport
import Testing

/// MailMessage against a real peer, Python 3's `email` package (`policy.default`), on the corpus,
/// hand-made edge cases (`fixtures/eml-peer/`, as `peer/NAME`) and, when installed, Python's own email test
/// messages. `interop/mailmessage/email_peer.py` prints Python's view of each file; every facet must
/// agree except the deliberate differences listed in ``PythonEmailDifferentialTests/deliberate``.
/// Skips, saying why, when python3 is missing (fails instead under `MILTER_INTEROP=required`).
struct PythonEmailDifferentialTests {
    @Test func mailMessageAgreesWithPythonEmail() async throws {
        guard let python = ExternalTool.require("python3") else { return }
        let files = Self.messageFiles()
        #expect(files.count >= 70, "corpus and edge cases not found under \(Corpus.directory)")
        let script = Corpus.root + "/interop/mailmessage/email_peer.py"
        let result = try await ProcessRunner.run(python, [script] + files, timeout: .seconds(300)).check(script)
        let lines = result.stdout.split(separator: "\n")
        try #require(lines.count == files.count, "the peer printed \(lines.count) views for \(files.count) files")
        var differences: [String] = []
        var deliberateSeen: Set<String> = []
        for (file, line) in zip(files, lines) {
            let peer = try JSONDecoder().decode(EmailPeerView.self, from: Data(line.utf8))
            let ours = EmailPeerView(file: file, message: MIMEMessage(parsing: Corpus.bytes(file, in: "/")))
            for (facet, detail) in Self.differences(ours, peer) {
                let key = Self.shortName(file) + " " + facet
                if let pattern = Self.deliberatePattern(for: key) {
                    deliberateSeen.insert(pattern)
                } else {
                    differences.append(key + ": " + detail)
                }
            }
        }
        let report = differences.joined(separator: "\n")
        #expect(differences.isEmpty, "\(differences.count) differences:\n\(report)")
        let stale = Set(Self.deliberate.keys).subtracting(deliberateSeen).filter {
            !$0.hasPrefix("python:") || Self.pythonDataDirectory() != nil
        }
        #expect(stale.isEmpty, "listed as deliberate but no longer different: \(stale.sorted())")
    }

    /// Deliberate differences: a pattern to the reason. A difference is `file facet` (`file` relative to
    /// fixtures/eml, `peer/NAME` for fixtures/eml-peer, or `python:NAME` for Python's test messages). A
    /// pattern matches it exactly; a file name alone matches all its facets; `file part0` matches every
    /// facet under it (`part0.size`); a final `*` matches every facet that starts so (`digest.eml part*`).
    static let deliberate: [String: String] = {
        let commentName = "a comment is the display name when there is no other (AddressList); Python drops it"
        let emptyTree = "a multipart whose delimiters give no part has no parts; Python makes it one leaf"
        let qpSpace =
            "trailing white space on a quoted-printable line is deleted, before a soft break too "
            + "(RFC 2045 section 6.7 rule 3); Python keeps it"
        let noBoundary =
            "a multipart without a boundary is read as text/plain (MIMEPart.contentType); Python keeps the type"
        let deliveryStatus = "message/delivery-status is a leaf; Python parses its field groups as sub-messages"
        let nullAddress = "<> is the empty address; Python spells it \"<>\""
        let adjacentDelimiters = "adjacent delimiter lines enclose an empty part; Python skips them"
        var table: [String: String] = [
            "address-group.eml addresses": commentName,
            "address-obsolete.eml addresses": commentName,
            "mime/boundary-never-used.eml part0": emptyTree,
            "mime/empty-parts.eml part*": adjacentDelimiters,
            "mime/encoded-container.eml part*":
                "an encoded container is decoded and parsed (MIMEParser); Python keeps a leaf",
            "mime/garbage-content-type.eml part0.params": "a parameter without `=` is dropped; Python keeps it, empty",
            "mime/missing-boundary-parameter.eml part0.type": noBoundary,
            "mime/missing-final-boundary.eml part2":
                "with no close delimiter the last part keeps its final line break; "
                + "Python drops it",
            "mime/raw-8bit-headers.eml subject": "unlabelled 8-bit text that is not UTF-8 is read as Windows-1252; "
                + "Python (and this harness) show U+FFFD",
            "mime/raw-8bit-headers.eml addresses": "as for the subject: Windows-1252 for unlabelled 8-bit text",
            "mime/raw-8bit-headers.eml part0.text": "as for the subject: Windows-1252 for unlabelled 8-bit text",
            "mime/unterminated-quotes.eml addresses": "a quoted string never closed that holds an address is salvaged",
            "quoted-printable.eml part0": qpSpace,
            "peer/qp-variants.eml part0": qpSpace,
            "peer/address-missing-comma.eml addresses": "missing commas are tolerated (`Doe, Jane <j@x>`, "
                + "`\"A\" <a@x> \"B\" <b@x>`); Python stops at the first",
            "peer/address-odd.eml addresses": nullAddress,
            "peer/address-spoof.eml addresses": "the address is the one in angle brackets even when the name looks "
                + "like an address; `;` and missing commas separate mailboxes; Python keeps the first only",
            "peer/boundary-whitespace.eml part2": "a close delimiter may have other text after it on its line "
                + "(RFC 2046 section 5.1.1: the boundary need only appear in its entirety); Python disagrees",
            "peer/content-type-odd.eml part0.type":
                "a comment after the media type is CFWS; Python keeps it in the type",
            "peer/ct-spaces-around-slash.eml part0.type": "spaces around `/` are CFWS; Python keeps them in the type",
            "peer/ct-missing-semicolon.eml part0.type": "the subtype ends where its token does (a missing `;`); "
                + "Python keeps all the text as the type",
            "peer/ct-quoted-type.eml part0.type": "a quoted media type is no token, so text/plain (RFC 2045 section "
                + "5.2); Python keeps the quotes",
            "peer/ct-trailing-space-boundary.eml part1": "a boundary parameter ending in a space is used as written "
                + "(its sender's delimiters have the space); Python strips it",
            "peer/cte-comment.eml part0": "a comment in Content-Transfer-Encoding is ignored; Python reads an "
                + "unknown encoding",
            "peer/date-06.eml date": "a two-digit year 50-99 is 19xx (RFC 5322 section 4.3); Python says 20xx",
            "peer/date-07.eml date": "a three-digit year is + 1900 (RFC 5322 section 4.3); Python keeps it",
            "peer/date-17.eml date": "a zone offset past 23:59 is ignored (the date counts as UTC); Python refuses "
                + "the date",
            "peer/ew-in-parens.eml unstructured": "encoded text with a space in it is not an encoded word "
                + "(RFC 2047 section 2); Python decodes it",
            "peer/rfc2231-continuations.eml part2.filename": "an RFC 2231 filename* beats a plain filename; "
                + "Python takes the first",
            "peer/base64-concatenated.eml part0": "padding ends a base64 quantum, not the data: concatenated "
                + "padded blocks all decode (Base64); Python stops at the first padding",
            "peer/space-before-colon.eml": "white space between a field name and its colon is obsolete syntax "
                + "(RFC 5322 section 4.5.8), still a field; Python ends the header section there",
            "peer/rfc2231-no-charset.eml part0.params": "an extended first section without charset quotes "
                + "(`x*0*=%41`) is kept; Python drops it",
            "python:msg_15.txt part*": "a nested multipart reusing its parent's boundary; and " + qpSpace,
            "python:msg_16.txt part*": deliveryStatus,
            "python:msg_17.txt part0": emptyTree,
            "python:msg_25.txt part0": noBoundary + " (its boundary parameter is cut short)",
            "python:msg_31.txt part0": emptyTree,
            "python:msg_36.txt part*": "message/external-body is a leaf (only rfc822 and global are embedded "
                + "messages); Python parses its phantom header",
            "python:msg_37.txt part*": adjacentDelimiters,
            "python:msg_39.txt part2": emptyTree + " (it reuses its parent's boundary)",
            "python:msg_41.txt part0.type": noBoundary,
            "python:msg_42.txt part3": emptyTree + " (only a close delimiter)",
            "python:msg_43.txt addresses": nullAddress,
            "python:msg_43.txt part*": deliveryStatus,
        ]
        for name in ["01", "03", "04", "06", "14", "20", "27", "29", "44"] {
            table["python:msg_\(name).txt addresses"] = commentName
        }
        return table
    }()

    /// The pattern of ``deliberate`` that covers a difference, if any.
    static func deliberatePattern(for key: String) -> String? {
        deliberate.keys.first { pattern in
            if pattern.hasSuffix("*") { return key.hasPrefix(pattern.dropLast()) }
            return key == pattern || key.hasPrefix(pattern + ".") || key.hasPrefix(pattern + " ")
        }
    }

    /// Facet name and a description of each difference between our view and the peer's.
    static func differences(_ ours: EmailPeerView, _ peer: EmailPeerView) -> [(String, String)] {
        var result: [(String, String)] = []
        func compare<T: Equatable>(_ facet: String, _ a: T, _ b: T) {
            if a != b { result.append((facet, "ours \(a) | python \(b)")) }
        }
        compare("headerNames", ours.headerNames, peer.headerNames)
        compare("unstructured", ours.unstructured, peer.unstructured)
        compare("subject", ours.subject, peer.subject)
        compare("addresses", ours.addresses, peer.addresses)
        compare("date", ours.date, peer.date)
        compare("messageID", ours.messageID, peer.messageID)
        compare("partCount", ours.parts.count, peer.parts.count)
        for (index, (a, b)) in zip(ours.parts, peer.parts).enumerated() {
            let prefix = "part\(index)."
            compare(prefix + "type", a.type, b.type)
            compare(prefix + "params", a.params, b.params)
            compare(prefix + "disposition", a.disposition, b.disposition)
            compare(prefix + "filename", a.filename, b.filename)
            compare(prefix + "children", a.children, b.children)
            compare(prefix + "size", a.size, b.size)
            compare(prefix + "hash", a.hash, b.hash)
            if b.text != nil { compare(prefix + "text", a.text, b.text) }
        }
        return result
    }

    /// Hand-made edge cases, outside fixtures/eml so that they are not part of milter-replay's corpus.
    static let peerDirectory = Corpus.root + "/fixtures/eml-peer"

    static func shortName(_ file: String) -> String {
        if file.hasPrefix(Corpus.directory + "/") { return String(file.dropFirst(Corpus.directory.count + 1)) }
        if file.hasPrefix(peerDirectory + "/") { return "peer/" + file.dropFirst(peerDirectory.count + 1) }
        return "python:" + (file.split(separator: "/").last.map(String.init) ?? file)
    }

    /// Absolute paths: the corpus, the edge cases, then Python's test messages if installed.
    static func messageFiles() -> [String] {
        let corpus = Corpus.files(in: Corpus.directory, subdirectories: ["", "mime/", "verdicts/"])
            .filter { $0.hasSuffix(".eml") }.map { Corpus.directory + "/" + $0 }
        let edgeCases = Corpus.files(in: peerDirectory).filter { $0.hasSuffix(".eml") }.map { peerDirectory + "/" + $0 }
        guard let python = pythonDataDirectory() else { return corpus + edgeCases }
        let theirs = Corpus.files(in: python).filter { $0.hasPrefix("msg_") && $0.hasSuffix(".txt") }
        return corpus + edgeCases + theirs.map { python + "/" + $0 }
    }

    /// Python's email test messages (Debian's libpython3.X-testsuite), if installed.
    static func pythonDataDirectory() -> String? {
        for minor in (8...14).reversed() {
            let directory = "/usr/lib/python3.\(minor)/test/test_email/data"
            if FileManager.default.fileExists(atPath: directory + "/msg_01.txt") { return directory }
        }
        return nil
    }
}
