/// At most `width` timing-sensitive tests at a time (``shared``), or cases of one test (a width of 1
/// for each test function): released together after the start-of-run burst, they would otherwise
/// make a burst of their own.
actor TimingSlots {
    static let shared = TimingSlots(width: 2)

    private let width: Int
    private var inUse = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(width: Int) { self.width = width }

    /// Runs `body` in a slot, waiting for one first.
    nonisolated func withSlot(_ body: @Sendable () async throws -> Void) async throws {
        await acquire()
        do {
            try await body()
        } catch {
            await release()
            throw error
        }
        await release()
    }

    private func acquire() async {
        if inUse < width {
            inUse += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty {
            inUse -= 1
        } else {
            waiting.removeFirst().resume()  // the slot passes straight to the next
        }
    }
}
