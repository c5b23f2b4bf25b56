import ArgumentParser
import MilterReplayKit
import _MilterSystem

/// `milter-replay`: drive a milter the way Postfix (or Sendmail) does.
///
/// The root command only dispatches; `replay` is the default, so `milter-replay DIR` replays.
/// Another mode adds its subcommand type to ``subcommands`` from its own file. `main.swift` starts it
/// (``launch()``).
struct MilterReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "milter-replay",
        abstract: "Replay mail against a milter as Postfix or Sendmail would, and judge the milter.",
        version: VersionText.current,
        subcommands: [
            ReplayCommand.self, RecordCommand.self, ScenarioCommand.self, ConformanceCommand.self, MergeCommand.self,
        ],
        defaultSubcommand: ReplayCommand.self)

    /// Runs the command on the concurrency runtime's threads while the process's main thread waits
    /// (``SynchronousMain``): a run out of file descriptors (`--connections` above `ulimit -n`) was found
    /// ending in libdispatch's exit cleanup for an `async` main, in a trap (signal 4).
    static func launch() {
        _ = SynchronousMain.run {
            await main()
            return 0
        }
    }

    /// Runs the command; every usage error (ArgumentParser's 64) exits with 2.
    static func main() async {
        StandardOutput.ignoreBrokenPipes()
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == DumpRequestProbe.option {
            exitProcess(DumpRequestProbe.run(Array(arguments.dropFirst())))
        }
        // The common read-only `--pcap` line starts without ArgumentParser's reflection (see PcapDumpRequest).
        if let request = PcapDumpRequest(plainArguments: arguments) {
            exitProcess(PcapDump.run(request))
        }
        // An error thrown by a command that parsed (`--body @DIR`) is said without the root command's usage.
        var parsed = false
        do {
            var command = try parseAsRoot()
            parsed = true
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
            exitProcess(ExitCodes.success)
        } catch let early as EarlyExit {
            exitProcess(early.status)
        } catch let code as ExitCode {
            exitProcess(code.rawValue)
        } catch {
            if exitCode(for: error) == .success, arguments.contains(where: { ["-h", "--help", "help"].contains($0) }) {
                FileDescriptorWriter.standardOutput(fullMessage(for: error) + "\n" + HelpExamples.text(for: arguments))
                exitProcess(ExitCodes.success)
            }
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            FileDescriptorWriter.standardError(
                (parsed ? "Error: \(message(for: error))" : fullMessage(for: error)) + "\n")
            exit(withError: ExitCode(ExitCodes.usage))
        }
    }
}

/// Ends the process with `status`. ArgumentParser's `exit(withError:)` would build the command's help text first,
/// which costs milliseconds of reflection. Output lost (`> /dev/full`, `| head`) is said on standard error, exit 2.
private func exitProcess(_ status: Int32) -> Never {
    if let problem = StandardOutput.problem {
        FileDescriptorWriter.standardError("milter-replay: \(problem)\n")
        exit(ExitCodes.usage)
    }
    exit(status)
}
