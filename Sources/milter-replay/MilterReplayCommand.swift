import ArgumentParser
import Dispatch
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

    /// Runs the command on the concurrency runtime's threads while the process's main thread waits: an
    /// `async` main hands the main thread to libdispatch (`dispatch_main`), whose exit cleanup opens an
    /// `eventfd` for the main queue, at a moment of the runtime's choosing. A run out of file descriptors
    /// (`--connections` above `ulimit -n`) was found ending there, in a trap (signal 4), when the main
    /// thread got to it late on a loaded machine. Nothing here uses the main queue or the main actor.
    static func launch() {
        let finished = DispatchSemaphore(value: 0)
        Task.detached {
            await main()
            finished.signal()
        }
        finished.wait()
    }

    /// Runs the command; every usage error (ArgumentParser's 64) exits with 2.
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == DumpRequestProbe.option {
            exitProcess(DumpRequestProbe.run(Array(arguments.dropFirst())))
        }
        // The common read-only `--pcap` line starts without ArgumentParser's reflection (see PcapDumpRequest).
        if let request = PcapDumpRequest(plainArguments: arguments) {
            exitProcess(PcapDump.run(request))
        }
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch let early as EarlyExit {
            exitProcess(early.status)
        } catch {
            if exitCode(for: error) == .success, arguments.contains(where: { ["-h", "--help", "help"].contains($0) }) {
                FileDescriptorWriter.standardOutput(fullMessage(for: error) + "\n" + HelpExamples.text(for: arguments))
                exitProcess(ExitCodes.success)
            }
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            FileDescriptorWriter.standardError(fullMessage(for: error) + "\n")
            exit(withError: ExitCode(ExitCodes.usage))
        }
    }
}

/// Ends the process with `status`. ArgumentParser's `exit(withError:)` would build the command's help text first,
/// which costs milliseconds of reflection.
private func exitProcess(_ status: Int32) -> Never {
    exit(status)
}
