import MailMessage
import Testing

/// Numeric character references as the WHATWG HTML standard reads them ("numeric character reference end
/// state"): a reference to 0, to a surrogate or past U+10FFFF is U+FFFD, and one to 0x80-0x9F goes through the
/// Windows-1252 table, as browsers show it.
struct HTMLCharacterReferenceTests {
    static let cases: [(String, String)] = [
        ("a&#0;b", "a\u{FFFD}b"),
        ("&#x0000;", "\u{FFFD}"),
        ("&#x80;", "€"),
        ("&#128;", "€"),
        ("&#x99;", "™"),
        ("&#153;", "™"),
        ("&#x82;&#x8A;&#x8C;&#x8E;&#x91;&#x92;&#x93;&#x94;&#x96;&#x97;&#x9F;", "‚ŠŒŽ‘’“”–—Ÿ"),
        // The five that Windows-1252 leaves undefined stay C1 controls.
        ("&#x81;&#x8D;&#x8F;&#x90;&#x9D;", "\u{81}\u{8D}\u{8F}\u{90}\u{9D}"),
        ("&#xD800;&#xDFFF;", "\u{FFFD}\u{FFFD}"),
        ("&#x110000;&#99999999999;", "\u{FFFD}\u{FFFD}"),
        ("&#x10FFFF;&#xFF;&#x7F;", "\u{10FFFF}ÿ\u{7F}"),
    ]

    @Test(arguments: cases)
    func numericReference(_ html: String, _ expected: String) {
        #expect(Array(HTMLText.render(html).unicodeScalars) == Array(expected.unicodeScalars))
    }
}
