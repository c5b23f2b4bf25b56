import MilterProtocol

/// What the SMTP client is told after the milter refused the connection at CONNECT or HELO, or shut it down.
struct ConnectionRefusal: Hashable {
    /// The reply to the refused step itself; `nil` when the MTA answers it as usual (its greeting, 250 to HELO).
    var stepReply: String?
    /// The reply to every later command.
    var laterReply: String
    /// Whether a later HELO is still answered as usual rather than with ``laterReply``.
    var answersHelo: Bool

    /// `reply` to the step and to every later command: the session is over.
    static func everyCommand(_ reply: String) -> Self { Self(stepReply: reply, laterReply: reply, answersHelo: false) }
}

extension ConnectionRefusal {
    /// The refusal `refusal` that `verdict` (REJECT, TEMPFAIL, or REPLYCODE at HELO) at `step` gives under
    /// `profile`. With ``MTAProfile/keepsSessionAfterConnectionVerdict`` these are Sendmail's `srvrsmtp.c`
    /// answers to `milter_connect` and `milter_helo`: the session goes on with `nullserver` (REJECT, or a
    /// REPLYCODE's text at HELO) or `tempfail` (TEMPFAIL) set, HELO answered as usual; a REPLYCODE at HELO
    /// starting `421 ` or `421-` is sent to HELO and ends the session (`goto doquit`). A REPLYCODE's text goes
    /// through `usrerr` (``sendmailUserError(_:)``).
    init(_ verdict: MilterReply, refusal: String, at step: MilterCommand.ID, profile: MTAProfile, hostname: String) {
        guard profile.keepsSessionAfterConnectionVerdict else {
            self = .everyCommand(refusal)
            return
        }
        let replies = profile.replies
        switch verdict {
        case .reject:
            let greeting = step == .connect ? replies.rejectGreeting : nil
            self.init(
                stepReply: greeting.map { replies.expanded($0, hostname: hostname) },
                laterReply: replies.connectionReject, answersHelo: true)
        case .replyCode where refusal.hasPrefix("421 ") || refusal.hasPrefix("421-"):
            self = .everyCommand(Self.sendmailUserError(refusal))
        case .replyCode:
            self.init(stepReply: nil, laterReply: Self.sendmailUserError(refusal), answersHelo: true)
        default:
            self.init(stepReply: nil, laterReply: refusal, answersHelo: true)
        }
    }

    /// `text` as Sendmail's `usrerr` sends it (`err.c`, `fmtmsg`): with an enhanced status code after the reply
    /// code, `5.0.0` for a 5xx and `4.0.0` for a 4xx, when the text has none there (`isenhsc`).
    static func sendmailUserError(_ text: String) -> String {
        let bytes = Array(text.utf8)
        guard bytes.count >= 4, bytes[0] == UInt8(ascii: "4") || bytes[0] == UInt8(ascii: "5") else { return text }
        guard !hasEnhancedCode(bytes[4...]) else { return text }
        let code = bytes[0] == UInt8(ascii: "5") ? "5.0.0 " : "4.0.0 "
        return String(decoding: bytes[..<4], as: UTF8.self) + code + String(decoding: bytes[4...], as: UTF8.self)
    }

    /// Whether `bytes` start with an enhanced status code and a space, as `err.c`'s `isenhsc` reads one:
    /// 2, 4 or 5, a dot, one to three digits, a dot, one to three digits.
    private static func hasEnhancedCode(_ bytes: ArraySlice<UInt8>) -> Bool {
        var rest = bytes[...]
        guard let first = rest.popFirst(), [UInt8(ascii: "2"), UInt8(ascii: "4"), UInt8(ascii: "5")].contains(first),
            rest.popFirst() == UInt8(ascii: ".")
        else { return false }
        for delimiter in [UInt8(ascii: "."), UInt8(ascii: " ")] {
            let digits = rest.prefix(3).prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
            rest = rest.dropFirst(digits.count)
            guard !digits.isEmpty, rest.popFirst() == delimiter else { return false }
        }
        return true
    }
}
