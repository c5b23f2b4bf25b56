import ArgumentParser
import Foundation
import MilterClient
import Synchronization

/// `--pcap FILE [--target ADDR]`: sends the MTA's side of every recorded session to the milter
/// again and compares its replies with the recorded ones.
struct PcapReplay {
    let options: PcapOptions
    let load: LoadOptions
    let output: OutputOptions
    let configuration: MilterClientConfiguration

    /// The recorded sessions, loaded before any milter is started; a capture that cannot be read is a usage error.
    func loadScripts() throws -> [Result<ReplayScript, NotReplayable>] {
        let path = options.pcap ?? ""
        let loaded: [Result<ReplayScript, NotReplayable>]
        do {
            loaded = try PcapSessionLoader(options: options.extractionOptions).load(path: path)
        } catch {
            throw PcapReplay.usage(error.description)
        }
        guard !loaded.isEmpty else { throw PcapReplay.usage("\(path): no milter sessions found") }
        return loaded
    }

    /// Replays `loaded` against `address`; returns the exit code.
    func run(_ loaded: [Result<ReplayScript, NotReplayable>], against address: MilterAddress) async -> Int32 {
        let collector = PcapOutcomeCollector(json: output.json, quiet: output.quiet)
        var scripts: [ReplayScript] = []
        for entry in loaded {
            switch entry {
            case .success(let script): scripts.append(script)
            case .failure(let failure):
                collector.add(
                    SessionOutcome(
                        sequence: nil, label: failure.label, result: .notReplayable(failure.reason), latency: .zero))
            }
        }
        let start = ContinuousClock.now
        let queue = WorkQueue(
            corpusSize: scripts.count, repeat: load.repeat, duration: load.duration.map { .seconds($0) },
            rate: load.rate, start: start)
        let runner = PcapReplayRunner(
            scripts: scripts, replayer: SessionReplayer(address: address, configuration: configuration),
            comparator: ReplayComparator(mask: options.mask), connections: load.connections, queue: queue
        ) { collector.add($0) }
        await runner.run()
        return collector.finish(seconds: Double(start.duration(to: .now).microseconds) / 1e6)
    }

    static func usage(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("milter-replay: \(message)\n".utf8))
        return ExitCode(ExitCodes.usage)
    }
}

/// Prints each session's outcome as it comes and keeps the totals.
final class PcapOutcomeCollector: Sendable {
    private let json: Bool
    private let quiet: Bool
    private let summary = Mutex(PcapRunSummary())

    init(json: Bool, quiet: Bool) {
        self.json = json
        self.quiet = quiet
    }

    func add(_ outcome: SessionOutcome) {
        let text = json ? PcapReport.json(outcome) + "\n" : (quiet ? "" : PcapReport.text(outcome))
        summary.withLock { summary in
            summary.add(outcome)
            if !text.isEmpty { FileHandle.standardOutput.write(Data(text.utf8)) }
        }
    }

    /// Prints the summary; returns the exit code.
    func finish(seconds: Double) -> Int32 {
        let summary = self.summary.withLock { $0 }
        let text =
            json
            ? PcapReport.jsonSummary(summary, seconds: seconds) + "\n"
            : PcapReport.textSummary(summary, seconds: seconds)
        FileHandle.standardOutput.write(Data(text.utf8))
        return summary.exitCode
    }
}
