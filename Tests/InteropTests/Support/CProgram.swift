import Foundation
import MilterTestSupport

/// Compiles the C peers of `interop/` (cmilter, nullmilter, loadclient) once per test process, into /tmp.
actor CProgram {
    /// The one instance: compilations are shared by every test.
    static let shared = CProgram()
    // Tasks, not URLs: concurrent first callers must share one compilation.
    private var compilations: [String: Task<URL, Error>] = [:]

    /// The binary built from `source` (relative to the repository root), linked with `libraries`.
    func binary(source: String, libraries: [String]) async throws -> URL {
        if let compilation = compilations[source] { return try await compilation.value }
        let task = Task { try await Self.compile(source: source, libraries: libraries) }
        compilations[source] = task
        return try await task.value
    }

    /// Builds into /tmp/interop-build/NAME-HASH, keyed by the source's content, so reruns reuse it and
    /// the directory does not fill up; the binary is renamed into place, so concurrent test processes
    /// never see a half-written file.
    private static func compile(source: String, libraries: [String]) async throws -> URL {
        let sourceURL = TestPaths.root.appendingPathComponent(source)
        let name = sourceURL.deletingPathExtension().lastPathComponent
        let directory = URL(fileURLWithPath: "/tmp/interop-build")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let hash = fnv1a(try Data(contentsOf: sourceURL) + Data(libraries.joined(separator: " ").utf8))
        let output = directory.appendingPathComponent("\(name)-\(String(hash, radix: 16))")
        if FileManager.default.isExecutableFile(atPath: output.path) { return output }
        let temporary = directory.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try await ProcessRunner.run(
            "/usr/bin/cc", ["-O2", "-Wall", "-o", temporary.path, sourceURL.path] + libraries, timeout: .seconds(120)
        ).check("cc \(source)")
        guard rename(temporary.path, output.path) == 0 else { throw HarnessError("rename failed: errno \(errno)") }
        return output
    }

    private static func fnv1a(_ data: Data) -> UInt64 {
        data.reduce(0xcbf2_9ce4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }
}
