import MilterProtocol

/// What happens to a message (or, from an early hook, to a connection or recipient).
public enum Verdict: Hashable, Sendable {
    /// Deliver the message.
    case accept
    /// Refuse it permanently: the MTA's default text when `reply` is `nil`, else that reply.
    case reject(ReplyCode?)
    /// Refuse it temporarily: the MTA's default text when `reply` is `nil`, else that reply.
    case tempfail(ReplyCode?)
    /// Accept the message and drop it silently.
    case discard
    /// Accept the message into the MTA's hold queue, with a reason.
    case quarantine(String)

    /// The upper-case name used in decision log lines: `ACCEPT`, `REJECT`, ….
    public var name: String {
        switch self {
        case .accept: "ACCEPT"
        case .reject: "REJECT"
        case .tempfail: "TEMPFAIL"
        case .discard: "DISCARD"
        case .quarantine: "QUARANTINE"
        }
    }

    /// The SMTP reply text the client sees, if the verdict carries one.
    public var clientText: String? {
        switch self {
        case .reject(let reply?), .tempfail(let reply?): reply.text.string
        default: nil
        }
    }

    /// The final reply that ends the step on the wire (QUARANTINE is followed by ACCEPT).
    var finalReply: MilterReply {
        switch self {
        case .accept, .quarantine: .accept
        case .reject(let reply): reply?.reply ?? .reject
        case .tempfail(let reply): reply?.reply ?? .tempfail
        case .discard: .discard
        }
    }

    /// Whether modifications are applied with this verdict: only a delivered message is modified.
    var keepsModifications: Bool {
        switch self {
        case .accept, .quarantine: true
        default: false
        }
    }
}

extension ReplyCode {
    /// A one-line reply built from free text, never failing: CR, LF and NUL become spaces and the
    /// text is cut to 200 bytes (srmilter's cut), on a character boundary.
    ///
    /// - Parameters:
    ///   - code: 4xx or 5xx; anything else becomes 550. (``Decision/reject(_:client:code:enhancedCode:)`` and
    ///     ``Decision/tempfail(_:client:code:enhancedCode:)`` also keep the code in their verdict's class.)
    ///   - enhancedCode: the RFC 3463 code, such as `5.7.1`; dropped if its class does not match.
    ///   - text: the human-readable text.
    public static func sanitized(code: Int, enhancedCode: String?, text: String) -> ReplyCode {
        // By scalar: "\r\n" is one Character, equal to neither "\r" nor "\n".
        let clean = String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { $0 == "\r" || $0 == "\n" || $0 == "\0" ? " " : $0 }))
        var cut = ""
        for character in clean {
            guard cut.utf8.count + character.utf8.count <= 200 else { break }
            cut.append(character)
        }
        let line = cut.isEmpty ? "Refused" : cut
        let safeCode = (400...599).contains(code) ? code : 550
        if let reply = try? ReplyCode(code: safeCode, enhancedCode: enhancedCode, text: line) { return reply }
        // The enhanced code did not match the class: drop it; the line itself is valid by construction.
        return (try? ReplyCode(code: safeCode, text: line)) ?? Self.fallback(safeCode)
    }

    private static func fallback(_ code: Int) -> ReplyCode {
        // Both texts are valid literals; `try!` cannot fail here.
        code < 500 ? try! ReplyCode(code: 451, text: "Try again later") : try! ReplyCode(code: 550, text: "Refused")
    }
}
