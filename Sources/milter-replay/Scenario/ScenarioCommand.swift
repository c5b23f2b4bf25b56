import ArgumentParser
import MilterClient
import MilterReplayKit

/// `milter-replay scenario FILE... [--target ADDR]`: plays scenario files (docs/scenarios.md) and checks
/// every expectation in them.
struct ScenarioCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scenario",
        abstract: "Play scenario files (docs/scenarios.md) against a milter and check every expectation.",
        discussion: """
            Exit codes: 0 every 'must' scenario passed (skipped ones do not count); 1 an expectation failed \
            or a protocol finding; 2 usage error (a scenario file with an error, given as FILE:LINE:COLUMN, \
            or a report that cannot be written); 3 the milter could not be reached; 130 or 143 SIGINT or \
            SIGTERM stopped the run: no scenario starts after it, the reports cover those that ran, marked \
            interrupted, and the --start milter is stopped (a second signal exits at once). Without --target, the \
            embedded reference milter is started on 127.0.0.1. The MTA, the offer and the macros come from \
            each scenario file. Seconds are written in decimal digits (30, 0.5): 0x10 or 1e3 is a usage error.
            """)

    @Option(
        help: ArgumentHelp(
            "The milter: HOST:PORT, [::1]:PORT, inet:HOST:PORT, inet:PORT@HOST, unix:/path.",
            valueName: "address"))
    var target: String?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Seconds to wait for each reply, 0.001 to 86400 (default: the MTA profile's own; a scenario's timeout: key wins).",
            valueName: "seconds"))
    var timeout: SecondsArgument?

    @Flag(help: "Print JSON: one object per scenario, then a summary (see docs/scenarios.md).")
    var json = false

    @Option(help: "Write a JUnit XML report to this file: a test case per scenario.")
    var junit: String?

    @Flag(help: "List every expectation, passed ones too.")
    var verbose = false

    @Flag(help: "Print only the summary.")
    var quiet = false

    @Flag(help: "Show the milter's and the message's values in failures as they are, not shape-redacted.")
    var showValues = false

    @OptionGroup(title: "Starting the milter") var start: StartOptions

    @Argument(help: "The scenario files (.yaml).")
    var files: [String] = []

    func validate() throws {
        if files.isEmpty { throw ValidationError("give one or more scenario files") }
        // As in an .eml replay: one of them was silently dropped.
        if verbose, quiet {
            throw ValidationError("--verbose lists every expectation, --quiet only the summary: give one")
        }
        try NumericOption.check(timeout, "--timeout", in: NumericOption.timeoutSeconds)
        if let target { _ = try address(target) }
        try start.validate(target: target)
    }

    private func address(_ text: String) throws -> MilterAddress {
        do { return try MilterAddress(parsing: text) } catch { throw ValidationError(error.description) }
    }

    func run() async throws {
        let replay = ScenarioReplay(
            files: files, output: OutputSettings(json: json, junit: junit, quiet: quiet), verbose: verbose,
            showValues: showValues, timeouts: timeout.map { MilterTimeouts(all: .nanoseconds(Int64($0.seconds * 1e9))) }
        )
        let loaded = try replay.load()
        // SIGINT and SIGTERM end the run with its reports, and stop a milter --start started.
        RunInterruption.shared.install()
        let address = try target.map(address)
        guard let address else {
            throw ExitCode(try await TargetOptions.withMilter(at: nil) { await replay.run(loaded, against: $0) })
        }
        throw ExitCode(
            try await start.run(
                at: address, notStarted: { replay.reportNotStarted(loaded, reason: $0) },
                interrupted: { replay.reportInterruptedBeforeRun(loaded, signal: $0) }
            ) {
                await replay.run(loaded, against: address)
            })
    }
}
