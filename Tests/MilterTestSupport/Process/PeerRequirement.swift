import Foundation
import Testing

/// Whether a test that needs a real program (a peer, a tool) skips or fails when it is missing.
package enum PeerRequirement {
    /// True when `MILTER_INTEROP=required` (`.ci/run` sets it): a missing peer is then a failure, not a skip.
    package static var isRequired: Bool {
        ProcessInfo.processInfo.environment["MILTER_INTEROP"] == "required"
    }

    /// Says that `testName` cannot run because `peer` is missing: prints why, and under
    /// `MILTER_INTEROP=required` also records an issue, so that the test fails.
    package static func reportMissing(
        _ peer: String, reason: String, testName: String, sourceLocation: SourceLocation
    ) {
        if isRequired {
            Issue.record(
                "interop peer \(peer) missing: \(reason) (MILTER_INTEROP=required)", sourceLocation: sourceLocation)
        } else {
            print("interop: skipped \(testName): \(peer) missing: \(reason)")
        }
    }
}
