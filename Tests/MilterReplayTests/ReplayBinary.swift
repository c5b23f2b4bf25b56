import MilterTestSupport

/// Runs the built `milter-replay`, with a deadline.
enum ReplayBinary {
    /// The result of `milter-replay arguments`; throws if it has not exited after `timeout`.
    static func run(_ arguments: [String], timeout: Duration = .seconds(30)) async throws -> ProcessResult {
        try await ProcessRunner.run(TestPaths.builtProduct("milter-replay"), arguments, timeout: timeout)
    }

    /// The binary with at most 48 file descriptors (`ulimit -n 48`) and `arguments` after `--target`, against a
    /// milter that answers OPTNEG only after 300 ms: many connections open at once, and most run out of
    /// descriptors while the first wait for their OPTNEG reply.
    static func runOutOfDescriptors(_ arguments: [String]) async throws -> ProcessResult {
        let milter = try await ScriptedMilter(
            script: Scripts.wellBehaved(override: { command in
                guard case .optionNegotiation = command else { return nil }
                return [.pause(.milliseconds(300)), .reply(Scripts.answer())]
            }))
        let result = try await ProcessRunner.run(
            "/bin/sh",
            [
                "-c", #"ulimit -n 48 && exec "$0" "$@""#, TestPaths.builtProduct("milter-replay"),
                "--target", "127.0.0.1:\(milter.port)",
            ] + arguments, timeout: .seconds(60))
        await milter.stop()
        return result
    }

    /// A fixture path under fixtures/.
    static func fixture(_ relative: String) -> String { TestPaths.fixtures(relative).path }
}
