import MilterProtocol
import NIOCore

/// The answer to a classifier's decision at end of message, as it goes on the wire.
///
/// The modifications the MTA granted come first, in an order the protocol accepts, then the
/// quarantine request and the verdict. The whole is checked against the session's sequencing rules
/// and encoded before anything is sent. A decision that still cannot be sent (a NUL in a header
/// value or a quarantine reason, an invalid header name, a line break in a header value that is not
/// a fold or any line break in a quarantine reason, a reply longer than the MTA takes, a quarantine
/// the MTA did not grant) is replaced by the failure verdict without modifications: the MTA always
/// gets a valid answer, and the connection goes on.
struct EndOfMessageAnswer {
    /// The replies, in the order they are sent.
    let replies: [MilterReply]
    /// The replies' frames, ready to be written.
    let frames: ByteBuffer
    /// What the MTA is told: the classifier's decision, or the failure verdict that replaced it.
    let sent: Decision
    /// The modifications left out because the MTA did not grant them (none if the decision was replaced).
    let dropped: [Modification]
    /// Why the decision was replaced by the failure verdict (free of personal data); `nil` if it was sent.
    let replacement: MilterProtocolError?

    /// The answer to `decision`, its replies recorded in `session`, which owes the end-of-message
    /// reply; throws only if not even a bare tempfail can be sent now.
    ///
    /// A reply whose payload is over `replyLimit` (the MTA's, ``MilterFrameLimits/mtaReplies``)
    /// counts as one that cannot be sent: the MTA would drop the connection on it.
    static func answering(
        _ decision: Decision, failureVerdict: Verdict, session: inout MilterSession,
        replyLimit: MilterFrameLimits = .mtaReplies
    ) throws(MilterProtocolError) -> EndOfMessageAnswer {
        let granted = session.options?.actions ?? []
        var kept: [Modification] = []
        var dropped: [Modification] = []
        if decision.verdict.keepsModifications {
            for modification in decision.modifications {
                if granted.contains(modification.requiredAction) {
                    kept.append(modification)
                } else {
                    dropped.append(modification)
                }
            }
        }
        let cause: MilterProtocolError
        do {
            return try attempt(
                decision, kept, dropped: dropped, replacing: nil, replyLimit: replyLimit, session: &session)
        } catch {
            cause = error
        }
        let substitute = Decision(failureVerdict, reason: "the classifier's decision cannot be sent: \(cause.code)")
        if let answer = try? attempt(
            substitute, [], dropped: [], replacing: cause, replyLimit: replyLimit, session: &session)
        {
            return answer
        }
        // The failure verdict cannot be sent either (a quarantine the MTA did not grant).
        let bare = Decision(.tempfail(nil), reason: substitute.reason)
        return try attempt(bare, [], dropped: [], replacing: cause, replyLimit: replyLimit, session: &session)
    }

    /// The answer that sends `decision` with `modifications`, if the session takes all its replies.
    private static func attempt(
        _ decision: Decision, _ modifications: [Modification], dropped: [Modification],
        replacing cause: MilterProtocolError?, replyLimit: MilterFrameLimits, session: inout MilterSession
    ) throws(MilterProtocolError) -> EndOfMessageAnswer {
        let leadingSpace = session.options?.protocolFlags.contains(.headerLeadingSpace) ?? false
        var replies = ordered(modifications, headerLeadingSpace: leadingSpace)
        if case .quarantine(let reason) = decision.verdict { replies.append(.quarantine(MilterString(reason))) }
        replies.append(decision.verdict.finalReply)
        // Checked on a copy: the session records the replies only if all of them can go.
        var trial = session
        // Room for a usual answer (a header field or two and the verdict) from the start: an empty buffer
        // grew three times, one reallocation per write that outran it.
        var frames = ByteBufferAllocator().buffer(capacity: 256)
        for reply in replies {
            try trial.replyWillBeSent(reply)
            let start = frames.writerIndex
            try frames.writeMilterReply(reply)
            // The frame is the length field, the reply byte and the payload.
            let payload = frames.writerIndex - start - 5
            if payload > replyLimit.maximumPayloadLength {
                throw MilterProtocolError(
                    .frameTooLarge, commandByte: reply.id.rawValue,
                    detail:
                        "\(reply.id) payload of \(payload) bytes is over the MTA's \(replyLimit.maximumPayloadLength)")
            }
        }
        session = trial
        return EndOfMessageAnswer(
            replies: replies, frames: frames, sent: decision, dropped: dropped, replacement: cause)
    }

    /// The modifications' replies in their order, except that the body replacement chunks all go
    /// together, where the first stands: the protocol allows no other modification between two of
    /// them, and the MTA joins them into the new body (as libmilter's repeated `smfi_replacebody`).
    private static func ordered(_ modifications: [Modification], headerLeadingSpace: Bool) -> [MilterReply] {
        var replies: [MilterReply] = []
        var body: [MilterReply] = []
        var bodyPosition: Int?
        for modification in modifications {
            if case .replaceBody = modification {
                bodyPosition = bodyPosition ?? replies.count
                body += modification.replies(headerLeadingSpace: headerLeadingSpace)
            } else {
                replies += modification.replies(headerLeadingSpace: headerLeadingSpace)
            }
        }
        if let bodyPosition { replies.insert(contentsOf: body, at: bodyPosition) }
        return replies
    }
}
