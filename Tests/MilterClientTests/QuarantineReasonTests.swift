import MilterClient
import MilterProtocol
import MilterTestSupport
import Testing

/// How much of a QUARANTINE reason the MTA keeps. Postfix 3.10 and later log its first 100 bytes (`milter8.c`
/// `milter8_event`, SMFIR_QUARANTINE, `"H%.*s"` with the payload cut to 100; `cleanup_milter.c`
/// `cleanup_milter_hbc_reply`/`cleanup_milter_apply` and `smtpd.c` log it with `milter-hold`), storing none of it
/// with the held message; Postfix 3.7 drops it altogether. Sendmail keeps it whole.
struct QuarantineReasonTests {
    private static func reason(_ count: Int) -> String {
        String((0..<count).map { Character(UnicodeScalar(UInt8(ascii: "a") + UInt8($0 % 26))) })
    }

    private func quarantined(_ reason: String, profile: MTAProfile = .postfix) -> TransactionResult {
        let script = Scripts.wellBehaved(endOfMessage: [.reply(.quarantine(MilterString(reason))), .reply(.accept)])
        return Fixtures.simulateRun(script, configuration: Fixtures.configuration(profile: profile)).0
    }

    @Test func postfixKeepsTheFirstHundredBytes() {
        let long = Self.reason(150)
        let result = quarantined(long)
        #expect(result.verdict == .quarantine)
        #expect(result.quarantineReason == String(long.prefix(100)))
        #expect(quarantined(Self.reason(100)).quarantineReason == Self.reason(100))
        #expect(quarantined(Self.reason(99)).quarantineReason == Self.reason(99))
    }

    /// Postfix cuts bytes, not characters: a two-byte character across byte 100 is cut in half.
    @Test func postfixCutsBytes() {
        let reason = String(repeating: "x", count: 99) + "é" + "tail"
        let kept = quarantined(reason).quarantineReason
        #expect(kept.map { Array($0.utf8.prefix(99)) } == Array(repeating: UInt8(ascii: "x"), count: 99))
        #expect(kept?.hasSuffix("tail") == false)
        #expect(kept?.utf8.count ?? 0 <= 102)
    }

    /// A QUARANTINE at RCPT holds every later message; the reason is cut the same way.
    @Test func postfixCutsAnEarlyReasonToo() {
        let long = Self.reason(130)
        let script = Scripts.wellBehaved { command in
            command.id == .recipient ? [.reply(.quarantine(MilterString(long))), .reply(.continue)] : nil
        }
        let result = Fixtures.simulateRun(script).0
        #expect(result.verdict == .quarantine)
        #expect(result.quarantineReason == String(long.prefix(100)))
    }

    @Test func sendmailKeepsItWhole() {
        let long = Self.reason(150)
        #expect(quarantined(long, profile: .sendmail).quarantineReason == long)
    }
}
