/// Hands scripts from the capture reader to the replaying connections, holding at most
/// `capacity` of them: the reader waits while the connections are behind.
actor ScriptQueue {
    private let capacity: Int
    private var items: [PcapWork] = []  // small: at most `capacity`
    private var finished = false
    private var abandoned = false
    private var takers: [CheckedContinuation<PcapWork?, Never>] = []
    private var putters: [CheckedContinuation<Void, Never>] = []

    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Adds work, waiting while the queue is full.
    func put(_ work: PcapWork) async {
        if abandoned { return }
        if !takers.isEmpty {
            takers.removeFirst().resume(returning: work)
            return
        }
        while items.count >= capacity, !abandoned { await withCheckedContinuation { putters.append($0) } }
        if abandoned { return }
        items.append(work)
    }

    /// The run stopped: drops what is queued, and what is put from now on, so the reader never waits.
    func abandon() {
        abandoned = true
        items = []
        for putter in putters { putter.resume() }
        putters = []
        finish()
    }

    /// No more work: waiting takers get nil.
    func finish() {
        finished = true
        for taker in takers { taker.resume(returning: nil) }
        takers = []
    }

    /// The next work, waiting for it; nil once finished and empty.
    func take() async -> PcapWork? {
        if !items.isEmpty {
            let work = items.removeFirst()
            if !putters.isEmpty { putters.removeFirst().resume() }
            return work
        }
        if finished { return nil }
        return await withCheckedContinuation { takers.append($0) }
    }
}
