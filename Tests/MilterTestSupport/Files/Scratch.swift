import Foundation

/// Scratch directories under /tmp for peers' configs, queues, logs and dumps, and for the output of
/// the commands the tests run.
package enum Scratch {
    /// Creates a fresh, world-readable directory named `/tmp/milter-test-<label>-<random>`.
    package static func makeDirectory(_ label: String) throws -> URL {
        let url = URL(fileURLWithPath: "/tmp/milter-test-\(label)-\(UUID().uuidString.prefix(8).lowercased())")
        try FileManager.default.createDirectory(
            at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        return url
    }

    /// Removes `url` unless MILTER_INTEROP_KEEP=1 asks to keep it for a post-mortem.
    package static func remove(_ url: URL) {
        if ProcessInfo.processInfo.environment["MILTER_INTEROP_KEEP"] == "1" {
            print("interop: kept \(url.path)")
            return
        }
        try? FileManager.default.removeItem(at: url)
    }
}
