import ArgumentParser
import MilterClient
import MilterReplayKit
import _MilterSystem

/// `milter-replay conformance --target ADDR`: the catalogue of protocol cases against one milter.
struct ConformanceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conformance",
        abstract: "Judge a milter against the catalogue of protocol cases (docs/conformance-cases.md).",
        discussion: """
            Each case plays one session as the MTA would, or writes bytes no MTA would send, and passes, fails \
            (with the reason), is skipped (with the reason: it needs a flag the milter did not ask for) or is not \
            exercised (with the reason: the command it tests never reached the milter, which asked for it not to \
            be sent with a NO flag, or an earlier verdict ended the session before it); a case not exercised \
            neither passes nor fails. Exit \
            codes: 0 no `must` case failed; 1 one did; 2 usage error (an unknown --only name, a report that \
            cannot be written); 3 the milter could not be reached (or --start failed), or no case can be judged: \
            it did not answer OPTNEG in time, or answered with no milter frame (an SMTP server's greeting); \
            130 or 143 SIGINT or SIGTERM stopped the run: no case starts after it, the reports cover those \
            that ran, marked interrupted, and the --start milter is stopped (a second signal exits at once). \
            Without --target, the embedded reference milter is judged. Seconds are written in decimal digits (30, 0.5): 0x10 or 1e3 is a usage error.
            """)

    @Option(help: ArgumentHelp("The milter: HOST:PORT, [::1]:PORT, inet:PORT@HOST, unix:/path.", valueName: "address"))
    var target: String?

    @Option(help: "The MTA to play: postfix or sendmail.")
    var mta: String = "postfix"

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Seconds to wait for each reply, 0.001 to 86400 (default: the MTA's own timeouts).", valueName: "seconds"))
    var timeout: SecondsArgument?

    @Option(
        parsing: .upToNextOption,
        help: ArgumentHelp("Run only these cases or areas (IDs as in --list).", valueName: "id"))
    var only: [String] = []

    @Flag(help: "List the cases instead of running them.")
    var list = false

    @Flag(help: "With --list: print the catalogue as Markdown (docs/conformance-cases.md).")
    var markdown = false

    @Flag(help: "Print the results (with --list, the catalogue) as one JSON document.")
    var json = false

    @Option(help: ArgumentHelp("Write a JUnit XML report to this file.", valueName: "file"))
    var junit: String?

    @Option(
        help: ArgumentHelp(
            "Write a self-contained HTML report (the counts and the case table by area) to this file.",
            valueName: "file.html"))
    var report: String?

    @OptionGroup(title: "Starting the milter") var start: StartOptions

    func validate() throws {
        guard let profile = MTAProfile.named(mta) else { throw ValidationError("--mta must be postfix or sendmail") }
        _ = profile
        try NumericOption.check(timeout, "--timeout", in: NumericOption.timeoutSeconds)
        if markdown, !list { throw ValidationError("--markdown goes with --list") }
        if markdown, json { throw ValidationError("--markdown and --json: give one") }
        if list {
            // --list runs no case: a report or a milter asked for with it was silently not written or not started.
            let unused = [
                ("--start", start.start != nil), ("--target", target != nil), ("--junit", junit != nil),
                ("--report", report != nil), ("--timeout", timeout != nil), ("--mta", mta != "postfix"),
            ]
            if let (name, _) = unused.first(where: \.1) {
                throw ValidationError("\(name) does not apply to --list: it lists the cases and runs none")
            }
        }
        if let target { _ = try address(target) }
        try start.validate(target: target)
    }

    func run() async throws {
        let run = ConformanceRun(
            configuration: configuration, only: only, json: json, junit: junit, report: report)
        let cases = try run.prepare()
        if list {
            let text =
                markdown
                ? ConformanceMarkdown.document(cases)
                : json ? ConformanceJSON.list(cases) : ConformanceMarkdown.list(cases)
            FileDescriptorWriter.standardOutput(text)
            return
        }
        // SIGINT and SIGTERM end the run with its reports, and stop a milter --start started.
        RunInterruption.shared.install()
        let status: Int32
        if let target {
            let address = try address(target)
            status = try await start.run(
                at: address, notStarted: run.reportNotStarted,
                interrupted: { run.reportInterruptedBeforeRun($0, cases: cases) }
            ) {
                await run.run(cases, against: address)
            }
        } else {
            status = try await TargetOptions.withMilter(at: nil) { await run.run(cases, against: $0) }
        }
        if status != ExitCodes.success { throw ExitCode(status) }
    }

    private var configuration: MilterClientConfiguration {
        var configuration = MilterClientConfiguration(profile: MTAProfile.named(mta) ?? .postfix)
        if let timeout { configuration.timeouts = MilterTimeouts(all: .nanoseconds(Int64(timeout.seconds * 1e9))) }
        return configuration
    }

    private func address(_ text: String) throws -> MilterAddress {
        do { return try MilterAddress(parsing: text) } catch { throw ValidationError(error.description) }
    }
}
