import MilterTestSupport
import NIOConcurrencyHelpers
import NIOCore

/// Runs the built `milter-replay`, with a deadline.
enum ReplayBinary {
    /// The result of `milter-replay arguments`; throws if it has not exited after `timeout`: a guard against a hang,
    /// generous because the loaded CI machine starved four 12-message runs against a test milter past 30 s at once
    /// (CI run fresh93, ExchangeReuseSummaryTests).
    static func run(_ arguments: [String], timeout: Duration = .seconds(120)) async throws -> ProcessResult {
        try await ProcessRunner.run(TestPaths.builtProduct("milter-replay"), arguments, timeout: timeout)
    }

    /// The binary with at most `descriptors` file descriptors (`ulimit -n`) and `arguments` after `--target`,
    /// against a milter that answers OPTNEG only after 300 ms: many connections open at once, and most run out
    /// of descriptors while the first wait for their OPTNEG reply. With `holdingAll`, every OPTNEG reply waits
    /// until that long after the first OPTNEG came: connections opened at any time before then pile up, however
    /// slowly a loaded machine hands them out (a capture read as it goes gives out its sessions as fast as it is
    /// read: with a reply after 300 ms, a debug build on a busy machine never held enough at once).
    static func runOutOfDescriptors(
        _ arguments: [String], descriptors: Int = 48, holdingAll hold: TimeAmount? = nil
    ) async throws -> ProcessResult {
        let firstOptionNegotiation = NIOLockedValueBox<NIODeadline?>(nil)
        let milter = try await ScriptedMilter(
            script: Scripts.wellBehaved(override: { command in
                guard case .optionNegotiation = command else { return nil }
                var pause = TimeAmount.milliseconds(300)
                if let hold {
                    let now = NIODeadline.now()
                    let first = firstOptionNegotiation.withLockedValue { first in
                        if first == nil { first = now }
                        return first!
                    }
                    pause = max(pause, first + hold - now)
                }
                return [.pause(pause), .reply(Scripts.answer())]
            }))
        let result = try await ProcessRunner.run(
            "/bin/sh",
            [
                "-c", #"ulimit -n \#(descriptors) && exec "$0" "$@""#, TestPaths.builtProduct("milter-replay"),
                "--target", "127.0.0.1:\(milter.port)",
            ] + arguments, timeout: .seconds(60))
        await milter.stop()
        return result
    }

    /// A fixture path under fixtures/.
    static func fixture(_ relative: String) -> String { TestPaths.fixtures(relative).path }
}
