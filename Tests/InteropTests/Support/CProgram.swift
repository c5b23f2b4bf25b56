import Foundation

/// Compiles the C peers of `interop/` (cmilter, loadclient) once per test process, into /tmp.
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

    private static func compile(source: String, libraries: [String]) async throws -> URL {
        let sourceURL = Interop.repositoryRoot.appendingPathComponent(source)
        let name = sourceURL.deletingPathExtension().lastPathComponent
        let output = try Scratch.makeDirectory(name).appendingPathComponent(name)
        try await ProcessRunner.run(
            "/usr/bin/cc", ["-O2", "-Wall", "-o", output.path, sourceURL.path] + libraries, timeout: .seconds(120)
        ).check("cc \(source)")
        return output
    }
}
