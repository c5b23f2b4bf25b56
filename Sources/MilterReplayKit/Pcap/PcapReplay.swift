import MilterClient
import NIOConcurrencyHelpers
import _MilterSystem

/// `--pcap FILE [--target ADDR]`: sends the MTA's side of every recorded session to the milter
/// again and compares its replies with the recorded ones.
public struct PcapReplay: Sendable {
    /// The capture, and what the comparison ignores.
    public let capture: CaptureSettings
    /// How many connections, how often, how fast.
    public let load: LoadSettings
    /// JSON or text, quiet or not.
    public let output: OutputSettings
    /// Timeouts, reply limits and the MTA rules the replies are checked against; the offer is the recording's.
    public let configuration: MilterClientConfiguration

    /// A replay of `capture` with the given settings.
    public init(
        capture: CaptureSettings, load: LoadSettings, output: OutputSettings,
        configuration: MilterClientConfiguration
    ) {
        self.capture = capture
        self.load = load
        self.output = output
        self.configuration = configuration
    }

    /// Whether the capture is read as the replay goes, once through, rather than held in memory
    /// for `--repeat` or `--duration`.
    var readsAsItGoes: Bool { load.repeat == 1 && load.duration == nil }

    /// Checks the capture before any milter is started; loads it when it must be held. A capture
    /// that cannot be read is a usage error.
    public func prepare() throws(EarlyExit) -> PreparedCapture {
        if let report = output.report, let problem = OutputPath.problem(writingFile: report, option: "--report") {
            throw EarlyExit.usage(problem)
        }
        let path = capture.pcap ?? ""
        do throws(PcapLoadError) {
            if readsAsItGoes {
                return PreparedCapture(opened: try ScriptReader(path: path, options: capture.extractionOptions))
            }
            let loaded = try ScriptReader.load(path: path, options: capture.extractionOptions)
            guard !loaded.scripts.isEmpty else {
                let untaken = UntakenStreams(count: loaded.untakenStreams).map { " (\($0))" } ?? ""
                throw PcapLoadError(description: "\(path): no milter sessions found\(untaken)")
            }
            return PreparedCapture(
                held: loaded.scripts, untakenStreams: loaded.untakenStreams, cut: loaded.cut,
                droppedStreams: loaded.droppedStreams)
        } catch {
            throw EarlyExit.usage(error.description)
        }
    }

    /// Replays the capture against `address`, printing each session's outcome and the summary; returns the exit code.
    public func run(_ prepared: PreparedCapture, against address: MilterAddress) async -> Int32 {
        let collector = PcapOutcomeCollector(
            json: output.json, quiet: output.quiet, report: output.report, showsValues: output.showValues)
        let start = ContinuousClock.now
        var producer: Task<Void, Never>?
        var streamed: ScriptQueue?
        let taken: @Sendable () -> PcapWork?
        let remaining: @Sendable () -> Int?
        // What a SIGINT or SIGTERM does, and a standard output that fails: no session starts from then on.
        let stop: @Sendable () -> Void
        if let held = prepared.held {
            collector.noteUntaken(prepared.untakenStreams)
            collector.noteCut(prepared.cut)
            collector.noteDropped(prepared.droppedStreams)
            (taken, remaining, stop) = heldWork(held, collector: collector, start: start)
        } else {
            let queue = ScriptQueue(capacity: 2 * load.connections)
            streamed = queue
            let read = streamedWork(from: prepared.opened, into: queue, collector: collector, start: start)
            producer = Task { await BlockingThread.run(1) { _ in read() } }
            taken = { queue.take() }
            // The sessions the reader still hands out, each counted and not replayed.
            remaining = {
                var count = 0
                while queue.take() != nil { count += 1 }
                return count
            }
            // Not counted: the capture is not read further (a pipe may never end).
            stop = { queue.abandon() }
        }
        let started = NIOLockedValueBox(0)
        let next: @Sendable () -> PcapWork? = {
            let work = taken()
            if work != nil { started.withLockedValue { $0 += 1 } }
            return work
        }
        let interruption = RunInterruption.shared
        let stopKey = interruption.onSignal(stop)
        let notStarted: @Sendable () -> Int? = { prepared.held == nil ? nil : remaining() }
        interruption.cut = { signal in
            let interrupted = Interrupted(
                signal: signal, notStarted: notStarted(),
                cut: max(0, started.withLockedValue { $0 } - collector.tried))
            _ = collector.finish(seconds: Double(start.duration(to: .now).microseconds) / 1e6, interrupted: interrupted)
            FileDescriptorWriter.standardError("milter-replay: \(PcapRunSummary.line(interrupted))\n")
        }
        defer {
            interruption.removeHandler(stopKey)
            interruption.cut = nil
        }
        // Sessions held for --repeat or --duration are sent from their first replay's recording.
        let memos = prepared.held != nil && load.reusesExchanges ? SessionMemos() : nil
        let replayer = SessionReplayer(
            address: address, configuration: configuration,
            comparator: ReplayComparator(mask: capture.mask, showsValues: output.showValues), memos: memos)
        let runner = PcapReplayRunner(replayer: replayer, connections: load.connections, next: next) {
            collector.add($0)
            // Output lost (a reader gone, a full disk): nothing more could be reported; the end says why.
            if StandardOutput.failure != nil { stop() }
        }
        let ending = await runner.run(remaining: remaining)
        if !interruption.workEnded() { await interruption.parkUntilExit() }
        if let unreachable = ending.unreachable {
            // The reader is not waited for: reading a pipe (`--pcap /dev/stdin`), it may wait in `read` for as
            // long as the pipe stays open. It stops at its next session, and reports nothing more.
            streamed?.abandon()
            FileDescriptorWriter.standardError("milter-replay: \(unreachable)\n")
            // The report is written all the same, saying why; the exit code stays that of the unreachable milter.
            let seconds = Double(start.duration(to: .now).microseconds) / 1e6
            if let failure = collector.finishUnreachable(unreachable, seconds: seconds) {
                FileDescriptorWriter.standardError("milter-replay: \(failure)\n")
            }
            return ExitCodes.connectFailed
        }
        if let signal = interruption.signal {
            // The reader is not waited for, as above: `--pcap -` from tcpdump never ends on its own.
            let interrupted = Interrupted(signal: signal, notStarted: notStarted())
            let code = collector.finish(
                seconds: Double(start.duration(to: .now).microseconds) / 1e6, sessionReuse: memos?.outcomes,
                interrupted: interrupted)
            FileDescriptorWriter.standardError("milter-replay: \(PcapRunSummary.line(interrupted))\n")
            return code
        }
        let code = collector.finish(
            seconds: Double(start.duration(to: .now).microseconds) / 1e6, sessionReuse: memos?.outcomes)
        await producer?.value
        if let stopped = ending.stoppedEarly {
            FileDescriptorWriter.standardError("milter-replay: \(Self.stoppedEarly(stopped))\n")
            return ExitCodes.connectFailed
        }
        if let error = streamed?.failure {
            return EarlyExit.usage(error.description).status
        }
        if collector.sessions == 0 {
            let untaken = collector.untakenStreams.map { " (\($0))" } ?? ""
            return EarlyExit.usage("\(capture.pcap ?? ""): no milter sessions found\(untaken)").status
        }
        return code
    }

    /// Writes the reports asked for (the `--json` summary, `--report`) of a replay whose milter did not start
    /// (`--start` failed, `reason` said on standard error already), as for a milter that cannot be reached.
    public func reportNotStarted(_ reason: String) {
        let collector = PcapOutcomeCollector(
            json: output.json, quiet: output.quiet, report: output.report, showsValues: output.showValues)
        if let failure = collector.finishUnreachable(reason, seconds: 0, headline: UnreachableReport.notStarted) {
            FileDescriptorWriter.standardError("milter-replay: \(failure)\n")
        }
    }

    /// Prints the summary and writes the report asked for (`--json`, `--report`) of a replay that `signal` ended
    /// while the `--start` milter was starting, before any session was replayed: marked interrupted, nothing run;
    /// the sessions not replayed are counted when the capture is held (`--repeat`, `--duration` with `--rate`).
    public func reportInterruptedBeforeRun(_ signal: Int32, prepared: PreparedCapture) {
        let collector = PcapOutcomeCollector(
            json: output.json, quiet: output.quiet, report: output.report, showsValues: output.showValues)
        var notStarted: Int?
        if let held = prepared.held {
            let replayable = held.filter { if case .success = $0 { true } else { false } }.count
            notStarted =
                WorkQueue(
                    corpusSize: replayable, repeat: load.repeat, duration: load.duration.map { .seconds($0) },
                    rate: load.rate, start: .now
                ).due
        }
        let interrupted = Interrupted(signal: signal, notStarted: notStarted)
        // A report that cannot be written is said on standard error; the exit status stays the signal's.
        _ = collector.finish(seconds: 0, interrupted: interrupted)
        FileDescriptorWriter.standardError("milter-replay: \(PcapRunSummary.line(interrupted))\n")
    }

    /// The error of a run that stopped at a connect failure before any session reached the milter, though one did:
    /// `the run stopped early: cannot connect to 127.0.0.1:7044: connection refused, before any connection was
    /// open; 12 sessions not replayed`.
    static func stoppedEarly(_ stopped: (reason: String, notSent: Int?)) -> String {
        "the run stopped early: \(stopped.reason), before any connection was open; "
            + (stopped.notSent.map { "\($0) sessions not replayed" } ?? "the rest of the duration was not run")
    }

    /// Work from scripts held in memory, through the shared ``WorkQueue`` (`--repeat`, `--duration`, `--rate`),
    /// how many sessions of it are still due (nil for a duration without a rate), and how to stop it.
    private func heldWork(
        _ held: [Result<ReplayScript, NotReplayable>], collector: PcapOutcomeCollector, start: ContinuousClock.Instant
    ) -> (next: @Sendable () -> PcapWork?, remaining: @Sendable () -> Int?, stop: @Sendable () -> Void) {
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
        let next: @Sendable () -> PcapWork? = { [scripts] in
            queue.take().map {
                PcapWork(
                    sequence: $0.sequence, script: scripts[$0.entry], entry: $0.entry, scheduled: queue.scheduled($0))
            }
        }
        return (next, { queue.due.map { max(0, $0 - queue.taken) } }, { queue.stop() })
    }

    /// Work read from the capture while the connections replay it, at most two scripts per connection
    /// ahead: the reading, to be run on a thread of its own. It ends the queue, with the error that
    /// stopped it if one did.
    private func streamedWork(
        from opened: OpenedCapture?, into queue: ScriptQueue, collector: PcapOutcomeCollector,
        start: ContinuousClock.Instant
    ) -> @Sendable () -> Void {
        let path = capture.pcap ?? ""
        let extraction = capture.extractionOptions
        let interval = load.rate.map { Duration.nanoseconds(Int64(1e9 / $0)) }
        return {
            do throws(PcapLoadError) {
                // A second run of the same prepared capture opens it again.
                var reader: ScriptReader
                if let taken = opened?.take() {
                    reader = taken
                } else {
                    reader = try ScriptReader(path: path, options: extraction)
                }
                var sequence = 0
                while !queue.isAbandoned, let (script, _) = try reader.next() {
                    switch script {
                    case .success(let script):
                        let scheduled = interval.map { start + $0 * sequence }
                        queue.put(PcapWork(sequence: sequence, script: script, scheduled: scheduled))
                        sequence += 1
                    case .failure(let failure):
                        if !queue.isAbandoned { collector.add(Self.notReplayable(failure)) }
                    }
                }
                collector.noteUntaken(reader.untakenStreams)
                collector.noteCut(reader.cut)
                collector.noteDropped(reader.droppedStreams)
                queue.finish()
            } catch {
                queue.finish(failure: error)
            }
        }
    }

    private static func notReplayable(_ failure: NotReplayable) -> SessionOutcome {
        SessionOutcome(sequence: nil, label: failure.label, result: .notReplayable(failure.reason), latency: .zero)
    }
}
