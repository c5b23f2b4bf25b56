import Foundation

/// Scratch directories under /tmp for peers' configs, queues, logs and dumps.
enum Scratch {
    /// Creates a fresh, world-readable directory named `/tmp/interop-<label>-<random>`.
    static func makeDirectory(_ label: String) throws -> URL {
        let url = URL(fileURLWithPath: "/tmp/interop-\(label)-\(UUID().uuidString.prefix(8).lowercased())")
        try FileManager.default.createDirectory(
            at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        return url
    }

    /// Removes `url` unless MILTER_INTEROP_KEEP=1 asks to keep it for a post-mortem.
    static func remove(_ url: URL) {
        if ProcessInfo.processInfo.environment["MILTER_INTEROP_KEEP"] == "1" {
            print("interop: kept \(url.path)")
            return
        }
        try? FileManager.default.removeItem(at: url)
    }
}
