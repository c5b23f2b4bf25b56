import MailMessage
import Testing

struct CorpusHeaderTests {
    @Test func corpusIsLargeEnough() {
        #expect(Corpus.allNames().count >= 40)
    }

    /// Every message is replayable: From, To and Subject present, and the raw split gives back the file.
    @Test(arguments: Corpus.allNames())
    func rawSplitIsByteExact(_ name: String) {
        let bytes = Corpus.bytes(name)
        let raw = RawMessage(parsing: bytes)
        let eol: [UInt8] = raw.lineEnding == .crlf ? [13, 10] : [10]
        var rebuilt: [UInt8] = raw.mboxFromLine.map { $0 + eol } ?? []
        for field in raw.headerFields { rebuilt += field.nameBytes + [0x3A] + field.valueBytes + eol }
        let withBlank = rebuilt + eol + raw.body
        let withoutBlank = rebuilt + raw.body
        #expect(withBlank == bytes || withoutBlank == bytes || rebuilt.dropLast(eol.count) == bytes[...])
        for required in ["From", "To", "Subject"] {
            #expect(!raw.fields(named: required).isEmpty, "\(name) lacks \(required)")
        }
        #expect(!MIMEMessage(parsing: bytes).isTruncated)
    }

    @Test func plainASCII() {
        let message = Corpus.message("plain-ascii.eml")
        #expect(message.from == Mailbox(name: "Alice Example", address: "alice@example.com"))
        #expect(message.to == [Mailbox(name: "Bob Example", address: "bob@example.org")])
        #expect(message.subject == "Plain ASCII message")
        #expect(message.date?.secondsSince1970 == 1_704_164_645)
        #expect(message.messageID == "plain-ascii@example.com")
        #expect(message.textBody == "Hello Bob,\r\nthis is a plain message.\r\n")
        #expect(message.attachments.isEmpty)
        #expect(message.replyTo == .empty)
    }

    @Test func lineFeedOnly() {
        let message = Corpus.message("plain-lf.eml")
        #expect(message.textBody == "Line one\nLine two\n")
        #expect(message.from.address == "alice@example.com")
        #expect(message.from.name == "")
    }

    @Test func foldedHeaders() {
        let message = Corpus.message("folded-headers.eml")
        #expect(message.subject == "This subject is folded over\tthree lines")
        #expect(message.to.map(\.address) == ["bob@example.org", "carol@example.net"])
        #expect(message.from == Mailbox(name: "Alice Example", address: "alice@example.com"))
        #expect(message.headers.first(named: "subject")?.value == " This subject is\r\n folded over\r\n\tthree lines")
    }

    @Test func encodedWords() {
        #expect(Corpus.message("encoded-subject-b.eml").subject == "Réunion de l'équipe")
        #expect(Corpus.message("encoded-subject-b.eml").from.name == "Éloise Dupont")
        #expect(Corpus.message("encoded-subject-q.eml").subject == "Café crème and more")
        #expect(Corpus.message("encoded-subject-q.eml").from.name == "André")
        #expect(Corpus.message("encoded-adjacent-words.eml").subject == "HelloWorld (ab) c d")
    }

    @Test(arguments: [
        ("charset-windows-1251.eml", "Привет", "Привет, мир\r\n"),
        ("charset-shift-jis.eml", "日本語", "日本語のテキスト"),
        ("charset-iso-2022-jp.eml", "日本語", "日本語のテキスト\r\n"),
        ("charset-gb2312.eml", "中文邮件", "中文邮件"),
        ("charset-big5.eml", "中文郵件", "中文郵件"),
        ("charset-euc-kr.eml", "한국어 메일", "한국어 메일"),
        ("charset-iso-8859-15-qp.eml", "Preis in Euro", "Der Preis beträgt 10 €.\r\n"),
        ("eightbit-utf8.eml", "8bit body", "Ünïcödé bödy — “quotes”.\r\n"),
        ("unknown-charset.eml", "caf\u{FFFD} ok", "caf\u{FFFD}\r\n"),
    ])
    func charsets(_ name: String, _ subject: String, _ body: String) {
        let message = Corpus.message(name)
        #expect(message.subject == subject)
        #expect(message.textBody == body)
    }

    @Test func utf8Headers() {
        let message = Corpus.message("utf8-headers-rfc6532.eml")
        #expect(message.from == Mailbox(name: "Jürgen Müller", address: "jürgen@bücher.example"))
        #expect(message.to == [Mailbox(name: "Zoë", address: "zoë@example.org")])
        #expect(message.subject == "Grüße aus Köln")
        #expect(message.messageID == "utf8-headers@bücher.example")
    }

    @Test func rawEightBitHeaders() {
        let message = Corpus.message("mime/raw-8bit-headers.eml")
        #expect(message.from == Mailbox(name: "André", address: "andre@example.fr"))
        #expect(message.subject == "Café crème")
        #expect(message.textBody == "Café\r\n")
    }

    @Test func addressGroups() {
        let message = Corpus.message("address-group.eml")
        #expect(
            message.to == [
                Mailbox(address: "dev@example.com"), Mailbox(name: "Ops, Night", address: "ops@example.com"),
                Mailbox(address: "bob@example.org"),
            ])
        #expect(message.cc.isEmpty)
        #expect(message.bcc == [Mailbox(name: "Carol C.", address: "carol@example.net")])
        let list = AddressList(parsing: message.headers.first(named: "To")!.valueBytes[...])
        #expect(list.entries.count == 2)
    }

    @Test func obsoleteAddresses() {
        let message = Corpus.message("address-obsolete.eml")
        #expect(message.from == Mailbox(name: "Alice in Comments", address: "alice@example.com"))
        #expect(
            message.to == [
                Mailbox(address: "bob@example.org"), Mailbox(address: "\"john doe\"@example.com"),
                Mailbox(name: "John Q. Public", address: "jqp@example.com"),
            ])
    }

    @Test func replyToAndSender() {
        let message = Corpus.message("reply-to-sender.eml")
        #expect(message.replyTo == Mailbox(name: "Support Desk", address: "support@example.com"))
        #expect(message.sender.address == "bounces+123@mailer.example.net")
        #expect(message.from.name == "Newsletter")
    }

    @Test func brokenDate() {
        let date = Corpus.message("date-broken.eml").date
        #expect(date?.secondsSince1970 == 1_704_164_640)
        #expect(date?.utcOffsetMinutes == -300)
    }

    @Test func receivedChain() {
        let message = Corpus.message("received-chain.eml")
        let received = message.received
        #expect(received.count == 4)
        #expect(received.map(\.id) == ["111AAA", "222BBB", "333CCC", "1rKxyz-000abc-00"])
        #expect(received.map(\.with) == ["LMTP", "ESMTP", "ESMTPS", "esmtpsa"])
        #expect(received[2].for == "bob@example.org")
        #expect(received[2].by == "relay.internal")
        #expect(message.receivedIPs.map(\.description) == ["127.0.0.1", "10.0.0.5", "198.51.100.23", "2001:db8::25"])
        #expect(message.firstPublicReceivedIP?.description == "198.51.100.23")
        #expect(received[1].date?.secondsSince1970 == 1_704_164_646)
    }

    @Test func references() {
        let message = Corpus.message("references.eml")
        #expect(message.inReplyTo == ["plain-ascii@example.com"])
        #expect(message.references == ["root@example.com", "plain-ascii@example.com"])
    }

    @Test func mboxFromLine() {
        let raw = RawMessage(parsing: Corpus.bytes("mbox-from-line.eml"))
        #expect(
            raw.mboxFromLine.map { String(decoding: $0, as: UTF8.self) }
                == "From alice@example.com Tue Jan  2 03:04:05 2024")
        #expect(raw.headerFields.first?.name == "From")
    }

    @Test func headersOnly() {
        let message = Corpus.message("headers-only.eml")
        #expect(message.textBody == "")
        #expect(message.root.rawBody.isEmpty)
        #expect(message.subject == "No body at all")
    }

    @Test func unterminatedQuotes() {
        let message = Corpus.message("mime/unterminated-quotes.eml")
        #expect(message.from == Mailbox(name: "Broken Name", address: "broken@example.com"))
        #expect(message.to.map(\.address) == ["bob@example.org"])
        #expect(message.messageID == "unterminated@example.com")
    }

    @Test func headerWithoutColonStartsBody() {
        let message = Corpus.message("mime/header-without-colon.eml")
        #expect(message.headers.map(\.name) == ["From", "To", "Subject"])
        #expect(message.textBody.hasPrefix("This line has no colon"))
    }
}
