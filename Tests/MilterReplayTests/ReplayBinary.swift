import MilterTestSupport

/// Runs the built `milter-replay`, with a deadline.
enum ReplayBinary {
    /// The result of `milter-replay arguments`; throws if it has not exited after `timeout`.
    static func run(_ arguments: [String], timeout: Duration = .seconds(30)) async throws -> ProcessResult {
        try await ProcessRunner.run(TestPaths.builtProduct("milter-replay"), arguments, timeout: timeout)
    }

    /// A fixture path under fixtures/.
    static func fixture(_ relative: String) -> String { TestPaths.fixtures(relative).path }
}
