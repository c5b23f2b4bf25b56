import Foundation
import Testing

/// Real tools (tshark, tcpdump) that some tests run; a missing one skips the test, or fails it under
/// `MILTER_INTEROP=required` (see ``PeerRequirement``). Run them with ``ProcessRunner``.
package enum ExternalTool {
    /// The tool's path in the usual system directories, or nil.
    package static func path(_ name: String) -> String? {
        for directory in ["/usr/bin", "/usr/sbin", "/usr/local/bin"] {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// The tool's path, or nil after reporting why the test cannot run.
    package static func require(
        _ name: String, testName: String = #function, sourceLocation: SourceLocation = #_sourceLocation
    ) -> String? {
        if let found = path(name) { return found }
        PeerRequirement.reportMissing(
            name, reason: "not installed (run .ci/install-peers)", testName: testName, sourceLocation: sourceLocation)
        return nil
    }
}
