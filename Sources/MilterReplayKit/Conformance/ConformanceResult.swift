/// The result of one case.
package struct ConformanceResult: Sendable {
    /// Pass, fail with the reason, or skip with the reason.
    package enum Status: Sendable, Hashable {
        case pass
        case fail(String)
        case skip(String)

        /// `pass`, `fail` or `skip`.
        package var name: String {
            switch self {
            case .pass: "pass"
            case .fail: "fail"
            case .skip: "skip"
            }
        }

        /// The reason of a failure or a skip.
        package var reason: String? {
            switch self {
            case .pass: nil
            case .fail(let reason), .skip(let reason): reason
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
