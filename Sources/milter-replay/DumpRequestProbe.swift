import ArgumentParser
import MilterReplayKit
import _MilterSystem

/// A hidden first argument for tests: `milter-replay --print-dump-request ARGUMENTS...` prints, as one JSON line,
/// the read-only `--pcap` request ArgumentParser makes of ARGUMENTS, or `null` when it makes an error, help or a
/// replay of them. The plain reading (``PcapDumpRequest/init(plainArguments:)``) is held to it by a test that runs
/// this binary, as ArgumentParser's commands live only here.
enum DumpRequestProbe {
    /// The hidden first argument; not shown in any help.
    static let option = "--print-dump-request"

    /// Prints the request and returns 0.
    static func run(_ arguments: [String]) -> Int32 {
        var line = "null"
        if let command = try? MilterReplayCommand.parseAsRoot(arguments) as? ReplayCommand,
            command.capture.pcap != nil
        {
            let settings = command.capture.settings
            if settings.readsOnly { line = JSONReport.encode(settings.dumpRequest(json: command.output.json)) }
        }
        FileDescriptorWriter.standardOutput(line + "\n")
        return ExitCodes.success
    }
}
