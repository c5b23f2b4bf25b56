import ArgumentParser
import MilterReplayKit

/// `milter-replay merge A.json B.json…`: the combined summary of runs made side by side.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine the summaries of --json runs made at the same time into one.",
        discussion: """
            Each file is the --json output of a run (its last summary line is read). Counts add up; latency \
            percentiles come from the sum of the runs' HDR histograms, as if one run had sent every message; \
            the duration is the longest run's and rates add up, since the runs are taken to have run side by \
            side (from several generator machines). Exits with the combined run's code (0, 1 or 3), 2 if a \
            file cannot be read.
            """)

    @Flag(help: "Print the combined summary as one JSON line, as --json does.")
    var json = false

    @Argument(help: ArgumentHelp("The --json outputs of the runs.", valueName: "file"))
    var files: [String]

    func validate() throws {
        if files.isEmpty { throw ValidationError("give the --json output files of the runs to merge") }
    }

    func run() throws {
        throw EarlyExit(status: SummaryMerge.run(paths: files, json: json))
    }
}
