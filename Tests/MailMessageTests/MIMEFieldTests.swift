import MailMessage
import Testing

struct MIMEFieldTests {
    @Test func contentTypeParameters() {
        let type = ContentType(parsing: Array(#" Text/HTML; charset="UTF-8"; format=flowed"#.utf8)[...])
        #expect(type.mediaType == "text/html")
        #expect(type.charset == "UTF-8")
        #expect(type.parameters["format"] == "flowed")
    }

    @Test func rfc2231ContinuationsAndCharset() {
        let value =
            " attachment;\r\n filename*0*=utf-8''%E2%82%AC%20rates;\r\n filename*1*=%20%C3%A9t%C3%A9;\r\n filename*2=.pdf"
        let disposition = ContentDisposition(parsing: Array(value.utf8)[...])
        #expect(disposition.isAttachment)
        #expect(disposition.filename == "€ rates été.pdf")
    }

    @Test func rfc2231SingleExtendedValueBeatsPlain() {
        let value = #" attachment; filename="fallback.txt"; filename*=iso-8859-1'fr'r%E9sum%E9.txt"#
        #expect(ContentDisposition(parsing: Array(value.utf8)[...]).filename == "résumé.txt")
    }

    @Test func encodedWordInQuotedFilename() {
        let value = #" application/pdf; name="=?UTF-8?B?0YTQsNC50LsucGRm?=""#
        #expect(ContentType(parsing: Array(value.utf8)[...]).name == "файл.pdf")
    }

    @Test func lenientParameterSyntax() {
        let value = #" multipart/mixed; boundary="abc" charset=x; name=my file.txt"#
        let type = ContentType(parsing: Array(value.utf8)[...])
        #expect(type.boundary == "abc")
        #expect(type.name == "my file.txt")
        #expect(ContentType(parsing: Array(" garbage".utf8)[...]).mediaType == "text/plain")
        // A comment after an unquoted value is not part of it (RFC 2045 section 5.1).
        let commented = ContentType(parsing: Array(" multipart/mixed; boundary=abc (comment); x=1".utf8)[...])
        #expect(commented.boundary == "abc")
    }

    /// The subtype ends where an RFC 2045 token does: `text/plain/extra` is `text/plain`, as Python's email
    /// package reads it (it was kept as the subtype `plain/extra`, which no text reader matched), and a
    /// missing `;` does not swallow the parameter into the subtype.
    @Test(arguments: [
        (" text/plain/extra; charset=utf-8", "text/plain"), (" text/html charset=utf-8", "text/html"),
        (" image/jpeg name=a.jpg", "image/jpeg"), (#" text/html"; x=1"#, "text/html"), (" text/[plain]", "text/plain"),
        (#" "text/html""#, "text/plain"), (" te xt/plain", "text/plain"),
        (" text/", "text/plain"), (" t@xt/html", "text/plain"),
    ])
    func theSubtypeEndsWhereATokenEnds(_ value: String, _ mediaType: String) {
        #expect(ContentType(parsing: Array(value.utf8)[...]).mediaType == mediaType)
    }

    /// The disposition type is the token the field starts with: `attachment filename=evil.txt` (a missing
    /// `;`) was the type `attachment filename=evil.txt`, so the part was no attachment and its text was read
    /// as the message's; Python's email package calls it an attachment.
    @Test func theDispositionTypeIsItsLeadingToken() {
        let missing = ContentDisposition(parsing: Array(" attachment filename=evil.txt".utf8)[...])
        #expect(missing.kind == "attachment")
        #expect(missing.isAttachment)
        #expect(ContentDisposition(parsing: Array(#" INLINE ; filename="a.txt""#.utf8)[...]).kind == "inline")
        let message = MIMEMessage(
            parsing: Array(
                ("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nbody\r\n--b\r\n"
                    + "Content-Disposition: attachment filename=evil.txt\r\n\r\nattached\r\n--b--\r\n").utf8))
        #expect(message.textBody == "body")
        #expect(message.attachments.map(\.data) == [Array("attached".utf8)])
    }

    /// A comment between parameters is skipped: after a quoted value with no `;` (`x="1" (comment) y=2`) it
    /// became part of the next name, `(comment) y`. Python's email package drops it too.
    @Test func aCommentBetweenParametersIsNoPartOfAName() {
        let value = #" text/plain; x="1" (comment) y=2; (a (nested \) one)) z=3; (unclosed"#
        let type = ContentType(parsing: Array(value.utf8)[...])
        #expect(type.parameters == ["x": "1", "y": "2", "z": "3"])
        // Before a value too: it was the empty value, so the charset was lost.
        let before = ContentType(parsing: Array(" text/plain; charset= (c) (d)utf-8; x=1".utf8)[...])
        #expect(before.parameters == ["charset": "utf-8", "x": "1"])
    }

    @Test func tokensMayHoldDotsPlusesAndDashes() {
        let type = ContentType(parsing: Array(" Application/VND.ms-Excel+xml ; x=1".utf8)[...])
        #expect(type.mediaType == "application/vnd.ms-excel+xml")
        #expect(ContentType(parsing: Array(" text / html".utf8)[...]).mediaType == "text/html")
    }

    static let base64Cases: [(String, String)] = [
        ("aGVsbG8=", "hello"), ("aGVs\r\nbG8=", "hello"), ("aGVsbG8", "hello"), ("aGV!!sbG8=", "hello"),
        ("aGVsbG8=d29ybGQ=", "helloworld"), ("", ""), ("a", ""), ("=", ""),
    ]

    @Test(arguments: base64Cases)
    func base64(_ input: String, _ expected: String) {
        #expect(String(decoding: Base64.decode(Array(input.utf8)[...]), as: UTF8.self) == expected)
    }

    static let quotedPrintableCases: [(String, String)] = [
        ("caf=C3=A9", "café"), ("soft=\r\nbreak", "softbreak"), ("soft=\nbreak", "softbreak"),
        ("trailing=  \r\nspace", "trailingspace"), ("lower=c3=a9", "loweré"), ("bad=ZZ", "bad=ZZ"),
        ("end=", "end"), ("keep  \r\nnext", "keep\r\nnext"), ("a = b", "a = b"),
    ]

    @Test(arguments: quotedPrintableCases)
    func quotedPrintable(_ input: String, _ expected: String) {
        #expect(String(decoding: QuotedPrintable.decode(Array(input.utf8)[...]), as: UTF8.self) == expected)
    }

    @Test func transferEncodingLabels() {
        #expect(TransferEncoding(parsing: Array(" Base64 ".utf8)[...]) == .base64)
        #expect(TransferEncoding(parsing: Array(" x-uuencode".utf8)[...]) == .other("x-uuencode"))
        #expect(TransferEncoding(parsing: Array("".utf8)[...]) == .sevenBit)
    }

    static let htmlCases: [(String, String)] = [
        ("<p>Hello <b>world</b></p>", "Hello world"),
        ("a&amp;b &lt;c&gt; &eacute;&#233;&#xE9; &unknown; &", "a&b <c> ééé &unknown; &"),
        ("<html><head><title>T</title><style>p{}</style></head><body>x<script>alert(1)</script>y</body></html>", "xy"),
        ("line1<br>line2<BR/>line3", "line1\nline2\nline3"),
        ("  lots   of\n\n  space  ", "lots of space"),
        ("<!-- hidden -->shown<a href=\"x>y\">link</a>", "shownlink"),
        ("1 < 2 and a&nbsp;b", "1 < 2 and a b"),
        ("<ul><li>one</li><li>two</li></ul>", "one\ntwo"),
        // A head without </head> ends where the body starts, as in HTML parsers; it hid everything.
        ("<html><head><title>Hi</title><body><p>Buy cheap pills now</p></body></html>", "Buy cheap pills now"),
        ("<head><meta charset=utf-8><title>a<b</title><!-- <p> --><p>shown", "shown"),
        // Text in <head> starts the body, as in HTML parsers (a stray </header> changes nothing).
        ("<head><title>t</title></header>x</head>y", "xy"),
        ("<head>Buy pills</head><p>now", "Buy pills\nnow"),
        // </scripts> does not close a script.
        ("<head><title>t</titles></title>x", "x"),
        ("<script>a</scripts>b</script>c", "c"),
    ]

    @Test(arguments: htmlCases)
    func htmlToText(_ html: String, _ expected: String) {
        #expect(HTMLText.render(html) == expected)
    }
}
