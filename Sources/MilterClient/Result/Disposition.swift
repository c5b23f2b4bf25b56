/// What the MTA did with a message after the milter's replies, as `--expect` names it.
///
/// This is the outcome seen from the MTA's side; a milter's own decision, with its reply text and
/// modifications, is ReferenceMilter's `Verdict`.
public enum Disposition: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// Delivered.
    case accept
    /// Refused with a 5xx reply.
    case reject
    /// Refused with a 4xx reply (including the default action after a finding).
    case tempfail
    /// Accepted and silently dropped.
    case discard
    /// Accepted and held in the quarantine.
    case quarantine

    /// The name.
    public var description: String { rawValue }
}
