/// Replays recorded sessions over `--connections` concurrent milter connections, one connection
/// per session, taking work from the shared ``WorkQueue`` (so `--repeat`, `--duration` and `--rate`
/// work as for .eml files).
struct PcapReplayRunner: Sendable {
    let scripts: [ReplayScript]
    let replayer: SessionReplayer
    let comparator: ReplayComparator
    let connections: Int
    let queue: WorkQueue
    /// Called once per session, as soon as it is compared.
    let report: @Sendable (SessionOutcome) -> Void

    /// Runs every worker to completion.
    func run() async {
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<connections { group.addTask { await worker() } }
        }
    }

    private func worker() async {
        while let item = queue.take() {
            if let scheduled = item.scheduled { try? await Task.sleep(until: scheduled) }
            report(await outcome(item))
        }
    }

    private func outcome(_ item: WorkQueue.Item) async -> SessionOutcome {
        let script = scripts[item.entry]
        let start = ContinuousClock.now
        do {
            let replayed = try await replayer.replay(script)
            let latency = item.scheduled.map { $0.duration(to: .now) } ?? replayed.duration
            return SessionOutcome(
                sequence: item.sequence, label: script.label,
                result: .compared(comparator.compare(script, with: replayed)), latency: latency)
        } catch {
            return SessionOutcome(
                sequence: item.sequence, label: script.label, result: .connectFailed(error.description),
                latency: start.duration(to: .now))
        }
    }
}
