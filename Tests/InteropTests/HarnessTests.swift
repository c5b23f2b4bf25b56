import Testing

/// The harness's own parsing, without peers.
@Suite("Interop harness helpers")
struct HarnessTests {
    @Test(arguments: [
        ("one\ntwo\n", "one\r\ntwo\r\n"),
        (".hidden\n..two\nend", "..hidden\r\n...two\r\nend\r\n"),
        ("crlf\r\nkept\r\n", "crlf\r\nkept\r\n"),
    ])
    func dotStuffing(input: String, expected: String) {
        #expect(SMTPClient.dotStuffed(input) == expected)
    }

    @Test func sinkDumpParsing() {
        let dump = """
            X-Mail-Args: <a@example.com> BODY=8BITMIME\r
            X-Rcpt-Args: <b@example.org> ORCPT=rfc822;b@example.org\r
            X-Rcpt-Args: <c@example.org>\r
            Subject: folded\r
            \tsecond line\r
            X-Empty:\r
            \r
            body line\r
            \r
            \r

            """
        let message = SinkMessage(raw: dump)
        #expect(message.mailFrom == "<a@example.com>")
        #expect(message.rcptTo == ["<b@example.org>", "<c@example.org>"])
        #expect(message.header(named: "subject") == "folded second line")
        #expect(message.header(named: "X-Empty") == "")
        #expect(message.body == "body line\n")
    }
}
