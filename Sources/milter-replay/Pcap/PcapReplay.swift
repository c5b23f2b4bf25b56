import ArgumentParser
import MilterClient
import Synchronization
import _MilterSystem

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `--pcap FILE [--target ADDR]`: sends the MTA's side of every recorded session to the milter
/// again and compares its replies with the recorded ones.
struct PcapReplay {
    let options: PcapOptions
    let load: LoadOptions
    let output: OutputOptions
    let configuration: MilterClientConfiguration

    /// Whether the capture is read as the replay goes, once through, rather than held in memory
    /// for `--repeat` or `--duration`.
    var readsAsItGoes: Bool { load.repeat == 1 && load.duration == nil }

    /// Checks the capture before any milter is started; loads it when it must be held. A capture
    /// that cannot be read is a usage error.
    func prepare() throws -> [Result<ReplayScript, NotReplayable>]? {
        let path = options.pcap ?? ""
        do throws(PcapLoadError) {
            if readsAsItGoes {
                _ = try ScriptReader(path: path, options: options.extractionOptions)
                return nil
            }
            let loaded = try ScriptReader.loadAll(path: path, options: options.extractionOptions)
            guard !loaded.isEmpty else { throw PcapLoadError(description: "\(path): no milter sessions found") }
            return loaded
        } catch {
            throw PcapReplay.usage(error.description)
        }
    }

    /// Replays the capture (`held`, or read as it goes when nil) against `address`; returns the exit code.
    func run(_ held: [Result<ReplayScript, NotReplayable>]?, against address: MilterAddress) async -> Int32 {
        let collector = PcapOutcomeCollector(json: output.json, quiet: output.quiet)
        let start = ContinuousClock.now
        var producer: Task<PcapLoadError?, Never>?
        let next: @Sendable () async -> PcapWork?
        if let held {
            next = heldWork(held, collector: collector, start: start)
        } else {
            (next, producer) = streamedWork(collector: collector, start: start)
        }
        let runner = PcapReplayRunner(
            replayer: SessionReplayer(address: address, configuration: configuration),
            comparator: ReplayComparator(mask: options.mask), connections: load.connections, next: next
        ) { collector.add($0) }
        await runner.run()
        let code = collector.finish(seconds: Double(start.duration(to: .now).microseconds) / 1e6)
        if let error = await producer?.value {
            _ = PcapReplay.usage(error.description)
            return ExitCodes.usage
        }
        if collector.sessions == 0 {
            _ = PcapReplay.usage("\(options.pcap ?? ""): no milter sessions found")
            return ExitCodes.usage
        }
        return code
    }

    /// Work from scripts held in memory, through the shared ``WorkQueue`` (`--repeat`, `--duration`, `--rate`).
    private func heldWork(
        _ held: [Result<ReplayScript, NotReplayable>], collector: PcapOutcomeCollector, start: ContinuousClock.Instant
    ) -> @Sendable () async -> PcapWork? {
        var scripts: [ReplayScript] = []
        for entry in held {
            switch entry {
            case .success(let script): scripts.append(script)
            case .failure(let failure): collector.add(Self.notReplayable(failure))
            }
        }
        let queue = WorkQueue(
            corpusSize: scripts.count, repeat: load.repeat, duration: load.duration.map { .seconds($0) },
            rate: load.rate, start: start)
        return { [scripts] in
            queue.take().map { PcapWork(sequence: $0.sequence, script: scripts[$0.entry], scheduled: $0.scheduled) }
        }
    }

    /// Work read from the capture while the connections replay it, at most two scripts per connection ahead.
    private func streamedWork(
        collector: PcapOutcomeCollector, start: ContinuousClock.Instant
    ) -> (@Sendable () async -> PcapWork?, Task<PcapLoadError?, Never>) {
        let queue = ScriptQueue(capacity: 2 * load.connections)
        let path = options.pcap ?? ""
        let extraction = options.extractionOptions
        let interval = load.rate.map { Duration.nanoseconds(Int64(1e9 / $0)) }
        let producer = Task { () -> PcapLoadError? in
            do throws(PcapLoadError) {
                var reader = try ScriptReader(path: path, options: extraction)
                var sequence = 0
                while let (script, _) = try reader.next() {
                    switch script {
                    case .success(let script):
                        let scheduled = interval.map { start + $0 * sequence }
                        await queue.put(PcapWork(sequence: sequence, script: script, scheduled: scheduled))
                        sequence += 1
                    case .failure(let failure): collector.add(Self.notReplayable(failure))
                    }
                }
                await queue.finish()
                return nil
            } catch {
                await queue.finish()
                return error
            }
        }
        return ({ await queue.take() }, producer)
    }

    private static func notReplayable(_ failure: NotReplayable) -> SessionOutcome {
        SessionOutcome(sequence: nil, label: failure.label, result: .notReplayable(failure.reason), latency: .zero)
    }

    static func usage(_ message: String) -> ExitCode {
        FileDescriptorWriter.standardError("milter-replay: \(message)\n")
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
            if !text.isEmpty { FileDescriptorWriter.standardOutput(text) }
        }
    }

    /// The sessions counted so far.
    var sessions: Int { summary.withLock { $0.sessions } }

    /// Prints the summary; returns the exit code.
    func finish(seconds: Double) -> Int32 {
        let summary = self.summary.withLock { $0 }
        let text =
            json
            ? PcapReport.jsonSummary(summary, seconds: seconds) + "\n"
            : PcapReport.textSummary(summary, seconds: seconds)
        FileDescriptorWriter.standardOutput(text)
        return summary.exitCode
    }
}
