import MilterProtocol

/// The last end-of-message answer of a connection, given again when the next decision is the same.
///
/// A connection's messages come to a few decisions (the built-in rules give every accepted message one header
/// field and ACCEPT): the answer to the same decision, under the same agreement, is the same replies and frames.
/// Building it (``EndOfMessageAnswer/answering(_:failureVerdict:session:replyLimit:)``: the modifications turned
/// into replies, each checked and encoded into a new buffer) cost about 7,000 instructions a message. Only an
/// answer that sends the decision itself (no failure verdict in its place) and whose frames are small is kept;
/// the session still checks each of its replies against its sequencing rules, and a refusal leaves the answer
/// to be built anew.
struct EndOfMessageAnswerMemo {
    /// The largest answer kept, in bytes of frames: a usual answer is a header field or two and the verdict. The
    /// copy is not charged to the memory budget, so it stays small.
    static let largestFrames = 512

    private var last: EndOfMessageAnswer?
    /// The actions and HDR_LEADSPC of the agreement `last` was built under.
    private var granted: MilterActions = []
    private var leadingSpace = false

    /// The answer kept for `decision` if it was built for the same decision byte for byte
    /// (``Decision/hasSameBytes(as:)``: not `==`, which takes canonically equivalent texts for equal) under
    /// `session`'s agreement, its replies recorded in `session`; `nil` (and `session` unchanged) otherwise.
    func answer(to decision: Decision, session: inout MilterSession) -> EndOfMessageAnswer? {
        guard let last, last.sent.hasSameBytes(as: decision), Self.agreement(of: session) == (granted, leadingSpace)
        else {
            return nil
        }
        // Checked on a copy, as the answer was built: the session records the replies only if all of them can go.
        var trial = session
        do {
            for reply in last.replies { try trial.replyWillBeSent(reply) }
        } catch {
            return nil
        }
        session = trial
        return last
    }

    /// Keeps `answer`, built under `session`'s agreement, if it sends its decision and is small.
    mutating func remember(_ answer: EndOfMessageAnswer, session: MilterSession) {
        guard answer.replacement == nil, answer.frames.readableBytes <= Self.largestFrames else { return }
        last = answer
        (granted, leadingSpace) = Self.agreement(of: session)
    }

    /// What of the agreement an answer depends on: the modifications granted, and where a header value's space goes.
    private static func agreement(of session: MilterSession) -> (MilterActions, Bool) {
        (session.options?.actions ?? [], session.options?.protocolFlags.contains(.headerLeadingSpace) ?? false)
    }
}
