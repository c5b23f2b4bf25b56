import MilterClient

/// The result of one case.
package struct ConformanceResult: Sendable {
    /// Pass, fail with the reason, skip with the reason, or not exercised with the reason.
    package enum Status: Sendable, Hashable {
        case pass
        case fail(String)
        case skip(String)
        /// A skip of its own kind: the case ran, but an earlier verdict of the milter (REJECT at CONNECT, a
        /// refused MAIL, ACCEPT at end of headers), or the milter's own NO flag (NOCONNECT, NOUNKNOWN, ...), kept
        /// from it a command the case is about (its `exercises`), so it did not test what it is about.
        case notExercised(String)

        /// `pass`, `fail`, `skip` or `not-exercised`.
        package var name: String {
            switch self {
            case .pass: "pass"
            case .fail: "fail"
            case .skip: "skip"
            case .notExercised: "not-exercised"
            }
        }

        /// The reason of a failure, a skip or a case not exercised.
        package var reason: String? {
            switch self {
            case .pass: nil
            case .fail(let reason), .skip(let reason), .notExercised(let reason): reason
            }
        }

        /// Whether it is a skip of either kind: JUnit's `skipped`, the table's `SKIP`.
        package var isSkip: Bool {
            switch self {
            case .skip, .notExercised: true
            case .pass, .fail: false
            }
        }
    }

    package var id: String
    package var area: String
    package var summary: String
    package var source: String
    package var severity: ConformanceCase.Severity
    package var status: Status
    /// How long the case took, in seconds.
    package var seconds: Double
    /// For a case that failed on the milter's protocol findings: the commands sent without a reply before the
    /// first of them that names any (``Finding/sentWithoutReply``); empty otherwise. In `--json` only: the reason
    /// has them already.
    package var sentWithoutReply = Finding.SentWithoutReply()

    package init(_ testCase: ConformanceCase, status: Status, seconds: Double) {
        id = testCase.id
        area = testCase.area
        summary = testCase.summary
        source = testCase.source
        severity = testCase.severity
        self.status = status
        self.seconds = seconds
    }

    /// Whether this result fails the run: a `must` case that failed.
    package var failsRun: Bool {
        if case .fail = status { return severity == .must }
        return false
    }
}
