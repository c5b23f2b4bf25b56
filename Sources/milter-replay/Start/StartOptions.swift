import ArgumentParser
import MilterClient
import MilterReplayKit

/// `--start "CMD ARGS"`: the milter under test, started before the run and stopped after it.
struct StartOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Start the milter with this command line (run by /bin/sh), wait until it accepts connections on "
                + "--target, and stop it (SIGTERM, then SIGKILL) at the end.",
            valueName: "command"))
    var start: String?

    @Option(parsing: .unconditional, help: "Seconds the started milter has to accept connections, 0.001 to 86400.")
    var startTimeout: SecondsArgument = 30

    func validate() throws {
        try NumericOption.check(startTimeout, "--start-timeout", in: NumericOption.timeoutSeconds)
        if let start, start.allSatisfy(\.isWhitespace) { throw ValidationError("--start: the command is empty") }
    }

    /// Checks that a started milter has a target to be waited for.
    func validate(target: String?) throws {
        if start != nil, target == nil { throw ValidationError("--start needs --target: where the milter listens") }
    }

    /// Runs `body` against `address`, with the milter started first when `--start` is given; when it does not
    /// start, `notStarted` gets the reason (said on standard error already), to write the reports asked for; when a
    /// SIGINT or SIGTERM ends the run while it starts, `interrupted` gets the signal, to write them marked
    /// interrupted.
    func run(
        at address: MilterAddress, notStarted: (String) -> Void = { _ in },
        interrupted: @escaping @Sendable (Int32) -> Void = { _ in }, _ body: () async throws -> Int32
    ) async throws -> Int32 {
        guard let start else { return try await body() }
        let started = StartedMilter(command: start, readyTimeout: .milliseconds(Int64(startTimeout.seconds * 1000)))
        return try await started.run(at: address, notStarted: notStarted, interrupted: interrupted, body)
    }
}
