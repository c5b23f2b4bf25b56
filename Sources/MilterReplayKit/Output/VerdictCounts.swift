import MilterClient

/// Messages counted by verdict: one counter per ``Disposition``, so that counting a message hashes
/// nothing (a `Disposition` key hashes its raw value, a string).
struct VerdictCounts: Sendable {
    private var accept = 0
    private var reject = 0
    private var tempfail = 0
    private var discard = 0
    private var quarantine = 0

    /// The count of `verdict`.
    subscript(verdict: Disposition) -> Int {
        get {
            switch verdict {
            case .accept: accept
            case .reject: reject
            case .tempfail: tempfail
            case .discard: discard
            case .quarantine: quarantine
            }
        }
        set {
            switch verdict {
            case .accept: accept = newValue
            case .reject: reject = newValue
            case .tempfail: tempfail = newValue
            case .discard: discard = newValue
            case .quarantine: quarantine = newValue
            }
        }
    }

    /// The verdicts with a count above zero.
    var dictionary: [Disposition: Int] {
        var counts: [Disposition: Int] = [:]
        for verdict in Disposition.allCases where self[verdict] > 0 { counts[verdict] = self[verdict] }
        return counts
    }
}
