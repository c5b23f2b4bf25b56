import ArgumentParser
import ReferenceMilter
import _MilterCommandLine
import _MilterSystem

/// The command line every milter binary gets in one call: `daemon`, `test`, `dump` and `check-config`.
///
/// `test` puts one message through the real protocol path: MilterClient plays Postfix
/// (`MTAProfile.postfix`) to the classifier's server, both in this process.
///
/// Exit statuses: `test` reports the verdict (0 accept, 1 reject, 3 tempfail, 4 discard,
/// 5 quarantine; also 3 for a header field, envelope address, HELO or client name or macro value whose
/// frame is over `--max-frame-size`, which an MTA would get a tempfail for); 2 is a usage or configuration error (bad arguments, an unreadable file, a rules file
/// with an error) or a failure to run, for every subcommand.
public enum MilterCommandLine {
    /// Parses the arguments, runs the subcommand and exits with its status.
    ///
    /// Prefer ``launch(_:arguments:)`` from a synchronous `main.swift`: awaiting this from an `async`
    /// top-level `main` hands the main thread to libdispatch, whose cleanup for it needs a file descriptor
    /// and traps without one.
    public static func main(
        _ configuration: MilterConfiguration, arguments: [String] = Array(CommandLine.arguments.dropFirst())
    ) async -> Never {
        CLIContext.configuration = configuration
        exit(await run(arguments: arguments))
    }

    /// Parses the arguments and runs the subcommand; returns the exit status.
    static func run(arguments: [String]) async -> Int32 {
        // An error thrown by a command that parsed (`test --body @DIR`) is said without the root command's usage.
        var parsed = false
        do {
            var command = try MilterRootCommand.parseAsRoot(arguments)
            parsed = true
            // No subcommand is a usage error (exit 2, the help on standard error), as for git: there is no
            // default to run (`daemon` would start serving from a bare invocation), and ArgumentParser's help on
            // standard output with exit 0 let a script that lost its subcommand pass as a success.
            if command is MilterRootCommand {
                printError("Error: give a subcommand\n\n" + MilterRootCommand.helpMessage())
                return 2
            }
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            return 0
        } catch let error as CLIError {
            printError("\(CLIContext.configuration.name): \(error)")
            return 2
        } catch let code as ExitCode {
            return code.rawValue
        } catch {
            let status = MilterRootCommand.exitCode(for: error)
            let message =
                parsed && status == .validationFailure
                ? "Error: \(MilterRootCommand.message(for: error))" : MilterRootCommand.fullMessage(for: error)
            if status == .success {
                let asksForHelp = arguments.contains { ["-h", "--help", "help"].contains($0) }
                let milter = CLIContext.configuration
                let examples =
                    asksForHelp
                    ? HelpExamples.text(for: arguments, name: milter.name, takesFile: milter.takesConfigurationFile)
                    : ""
                let text = asksForHelp ? String(message.reversed().drop { $0 == "\n" }.reversed()) + "\n" : message
                print(text + examples, terminator: asksForHelp ? "" : "\n")
                return 0
            }
            printError(message.isEmpty ? "\(CLIContext.configuration.name): \(error)" : message)
            // 1 is `test`'s REJECT: any other failure is 2.
            return 2
        }
    }

    /// What `--help` prints for `arguments` (which ask for help) in a binary of `configuration`:
    /// ArgumentParser's help, then the examples.
    package static func helpText(arguments: [String], configuration: MilterConfiguration) -> String {
        CLIContext.configuration = configuration
        do {
            // `--help` parses as ArgumentParser's help command, whose run throws the help.
            var command = try MilterRootCommand.parseAsRoot(arguments)
            try command.run()
            return ""
        } catch {
            return MilterRootCommand.fullMessage(for: error)
                + HelpExamples.text(
                    for: arguments, name: configuration.name, takesFile: configuration.takesConfigurationFile)
        }
    }

    /// Writes an error or a warning on standard error, its control characters but line feeds written as
    /// escapes (``TerminalText``): the text may quote a value as the user gave it (`--socket-mode`'s, say).
    static func printError(_ text: String) {
        var stderr = StandardError()
        print(TerminalText.escapingControls(text), to: &stderr)
    }
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) { FileDescriptorWriter.standardError(string) }
}

struct MilterRootCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: CLIContext.configuration.name,
            abstract: "A milter for Postfix and Sendmail.",
            discussion: """
                Exit status of `test`: 0 accept, 1 reject, 3 tempfail, 4 discard, 5 quarantine. \
                Every subcommand exits with 2 on a usage or configuration error; so does no subcommand.
                """,
            version: CLIContext.configuration.version ?? PackageVersion.current,
            subcommands: [DaemonCommand.self, TestCommand.self, DumpCommand.self, CheckConfigCommand.self])
    }
}
