import MailMessage
import Testing

struct ConcurrencyTests {
    /// Many tasks decode through the shared iconv descriptor pool at once; each must get its own
    /// descriptor and a stateful charset (ISO-2022-JP) must start from its initial state every time.
    @Test func parallelCharsetDecoding() async {
        let inputs: [(String, String, String)] = [
            ("=?iso-2022-jp?b?GyRCRnxLXDhsGyhC?=", "日本語", "iso-2022-jp"),
            ("=?shift_jis?b?k/qWe4zq?=", "日本語", "shift_jis"),
            ("=?koi8-r?b?8NLJ18XU?=", "Привет", "koi8-r"),
            ("=?big5?b?pKSk5Q==?=", "中文", "big5"),
        ]
        let failures = await withTaskGroup(of: Int.self) { group in
            for task in 0..<16 {
                group.addTask {
                    var failures = 0
                    for round in 0..<200 {
                        let (encoded, expected, _) = inputs[(task + round) % inputs.count]
                        if EncodedWords.decode(encoded) != expected { failures += 1 }
                    }
                    return failures
                }
            }
            return await group.reduce(0, +)
        }
        #expect(failures == 0)
    }

    /// A conversion cut in the middle of a shifted sequence must not leak its state to the next user.
    @Test func shiftStateIsReset() {
        let truncated = Charsets.decode([0x1B, 0x24, 0x42, 0x46, 0x7C][...], charset: "iso-2022-jp")
        #expect(truncated == "日")
        #expect(Charsets.decode(Array("plain".utf8)[...] + [0x1B, 0x28, 0x42], charset: "iso-2022-jp") == "plain")
        #expect(Charsets.decode([0x46, 0x7C][...], charset: "iso-2022-jp") == "F|")
    }
}
