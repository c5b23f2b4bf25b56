import MilterCapture
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import _MilterSystem

/// The pcapng file a recording proxy writes: every relayed chunk becomes synthesised TCP segments, queued for a
/// writer thread of the file's own that hands them to the kernel as soon as it can, so the file is readable while
/// recording goes on and the event loops that relay the mail never wait for the disk. Safe to use from every event
/// loop.
///
/// The queue holds at most ``Limits/maximumQueuedBytes``: when the disk falls that far behind, new blocks are
/// dropped rather than queued (the mail must not wait for the capture, nor the capture take all memory). Drops are
/// counted, said on standard error when they start and when the writer has caught up, and in the summary
/// (``finish()``); the capture then has gaps in the connections' byte streams, and a connection whose opening
/// blocks were dropped is missing its handshake. Blocks of connections still closing when ``finish()`` has begun
/// are not queued after its barrier: they are counted as dropped too, in the summary, or once ``finish()`` has
/// made it, in ``dropped`` and on standard error.
final class RecordingFile: Sendable {
    /// Bounds of the queue to the writer thread.
    struct Limits: Sendable {
        /// Bytes of blocks queued for the writer at most; more are dropped.
        var maximumQueuedBytes = Recording.defaultMaximumQueuedBytes
        /// How long ``RecordingFile/finish()`` waits for the queue to be written: a disk stalled for good must not
        /// keep the recorder from stopping. What is still queued then is counted as dropped.
        var finishTimeout = Duration.seconds(10)
    }

    /// Blocks not written because the writer was too far behind.
    struct Dropped: Sendable, Equatable {
        /// pcapng blocks (one a packet).
        var blocks = 0
        var bytes = 0
    }

    /// What ``finish()`` found.
    struct Summary: Sendable {
        /// Connections whose opening reached the file.
        var connections: Int
        /// Bytes written, all of them whole blocks.
        var bytes: Int
        /// Why writing stopped, if a write failed.
        var error: String?
        /// Blocks dropped because the writer was too far behind, or because they came after ``finish()`` began.
        var dropped: Dropped
    }

    /// Work for the writer thread, in order.
    private enum Item {
        case begin(header: ByteBuffer)
        case blocks(ByteBuffer, opensConnection: Bool)
        /// Everything queued before it has been written.
        case barrier(@Sendable () -> Void)

        var size: Int {
            switch self {
            case .begin(let bytes), .blocks(let bytes, _): bytes.readableBytes
            case .barrier: 0
            }
        }
    }

    private struct State {
        var recorder = CaptureRecorder()
        /// Whether the header has been queued (``begin()``).
        var begun = false
        var queue = CircularBuffer<Item>()
        var queuedBytes = 0
        /// Whether a drain of the queue is submitted or running on the writer thread.
        var draining = false
        var dropped = Dropped()
        /// Drops since the writer fell behind, until it has caught up.
        var behind: Dropped?
        /// Whether ``finish()`` has queued its barrier: later blocks are counted as dropped, not queued.
        var finishing = false
        /// Whether ``finish()`` has made its summary: later blocks are said as dropped, the summary being out.
        var summarized = false
    }

    /// What queueing an item asks of the caller, outside the lock.
    private struct Admission {
        var startDrain = false
        var fellBehind = false
        /// Blocks dropped after ``finish()`` made its summary, to be said.
        var afterSummary: Dropped?

        mutating func add(_ other: Self) {
            startDrain = startDrain || other.startDrain
            fellBehind = fellBehind || other.fellBehind
            afterSummary = afterSummary ?? other.afterSummary
        }
    }

    /// The file's path.
    let path: String
    /// Whether the file did not exist before: ``abandon()`` then removes it.
    private let created: Bool
    private let clock: @Sendable () -> CaptureTimestamp
    private let limits: Limits
    private let report: @Sendable (String) -> Void
    private let writer: CaptureFileWriter
    /// The writer thread.
    private let thread: NIOThreadPool
    private let state = NIOLockedValueBox(State())

    /// Opens (or creates) the file, never through a symbolic link (it holds mail), and changes
    /// nothing in it yet: ``begin()`` (or the first connection) empties it, sets mode 0600 and writes
    /// the header, and ``abandon()`` leaves a file that existed as it was. `report` says a failure or a drop at once
    /// (standard error).
    init(
        path: String, clock: @escaping @Sendable () -> CaptureTimestamp = RecordingFile.wallClock,
        limits: Limits = Limits(), sink: CaptureSink = .descriptor,
        report: @escaping @Sendable (String) -> Void = { FileDescriptorWriter.standardError($0 + "\n") }
    ) throws {
        let (descriptor, created) = SystemCall.openForReplacing(path)
        guard descriptor >= 0 else {
            throw PcapLoadError(description: "cannot create \(path): \(SystemCall.errorText(errno))")
        }
        self.path = path
        self.created = created
        self.clock = clock
        self.limits = limits
        self.report = report
        writer = CaptureFileWriter(path: path, descriptor: descriptor, sink: sink, report: report)
        thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
    }

    /// Empties the file and writes its header, once: recording has started.
    func begin() { admitted(state.withLockedValue { Self.begin(&$0) }) }

    /// Closes the file without having written to it (the proxy could not start): a file that
    /// existed is left as it was, one created here is removed.
    func abandon() {
        _ = writer.close()
        thread.shutdownGracefully { _ in }
        if created, !state.withLockedValue({ $0.begun }) { unlink(path) }
    }

    private static func begin(_ state: inout State) -> Admission {
        guard !state.begun else { return Admission() }
        state.begun = true
        return enqueue(.begin(header: state.recorder.fileHeader()), to: &state, limit: nil)
    }

    /// Starts recording a connection between `client` (the MTA) and `server` (the milter).
    func open(client: Endpoint, server: Endpoint) -> CaptureRecorder.Connection {
        let now = clock()
        let (connection, admission) = state.withLockedValue { state in
            var admission = Self.begin(&state)
            let (connection, blocks) = state.recorder.open(client: client, server: server, at: now)
            admission.add(queue(.blocks(blocks, opensConnection: true), to: &state))
            return (connection, admission)
        }
        admitted(admission)
        return connection
    }

    /// Records bytes relayed on `connection`.
    func record(_ bytes: ByteBuffer, from direction: StreamDirection, on connection: CaptureRecorder.Connection) {
        let now = clock()
        admitted(
            state.withLockedValue { state in
                var admission = Self.begin(&state)
                let blocks = state.recorder.record(bytes, from: direction, on: connection, at: now)
                admission.add(queue(.blocks(blocks, opensConnection: false), to: &state))
                return admission
            })
    }

    /// Records the end of `connection`, closed first by `direction`'s sender; later calls do nothing.
    func close(_ connection: CaptureRecorder.Connection, from direction: StreamDirection) {
        let now = clock()
        admitted(
            state.withLockedValue { state in
                var admission = Self.begin(&state)
                let blocks = state.recorder.close(connection, from: direction, at: now)
                admission.add(queue(.blocks(blocks, opensConnection: false), to: &state))
                return admission
            })
    }

    /// Waits until everything queued is written (at most ``Limits/finishTimeout``), closes the file and stops the
    /// writer thread; returns what reached the file and what was dropped. When the disk has not taken the queue in
    /// time, the blocks still queued count as dropped, it is said on standard error, and the writer thread, blocked
    /// in its write, is told to stop once the write returns (the descriptor is left to the process's exit).
    func finish() async -> Summary {
        let flushed = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let pending = NIOLockedValueBox<CheckedContinuation<Bool, Never>?>(continuation)
            let resume: @Sendable (Bool) -> Void = { flushed in
                pending.withLockedValue { waiting in
                    waiting?.resume(returning: flushed)
                    waiting = nil
                }
            }
            admitted(
                state.withLockedValue { state in
                    state.finishing = true
                    return Self.enqueue(.barrier { resume(true) }, to: &state, limit: nil)
                })
            let timeout = limits.finishTimeout
            Task {
                try? await Task.sleep(for: timeout)
                resume(false)
            }
        }
        guard flushed else { return abandonStalled() }
        let written = writer.close()
        try? await thread.shutdownGracefully()
        return Summary(
            connections: written.connections, bytes: written.bytes, error: written.error, dropped: summarizedDrops())
    }

    /// The blocks dropped so far, for the summary: any dropped after it are said on their own.
    private func summarizedDrops() -> Dropped {
        state.withLockedValue { state in
            state.summarized = true
            return state.dropped
        }
    }

    /// Every block dropped so far: those of ``finish()``'s summary, and any dropped after it.
    var dropped: Dropped { state.withLockedValue { $0.dropped } }

    /// The summary when the writer has not emptied the queue within ``Limits/finishTimeout``: what reached the file
    /// so far, and the queue's blocks as dropped (none is written after this).
    private func abandonStalled() -> Summary {
        let left = state.withLockedValue { state -> Dropped in
            var left = Dropped()
            while let item = state.queue.popFirst() {
                if case .blocks(let bytes, _) = item {
                    left.blocks += Self.blockCount(bytes)
                    left.bytes += bytes.readableBytes
                }
            }
            state.queuedBytes = 0
            state.dropped.blocks += left.blocks
            state.dropped.bytes += left.bytes
            return left
        }
        writer.abandon()
        // Not waited for: the thread ends once its write returns, if it ever does.
        thread.shutdownGracefully { _ in }
        let written = writer.progress
        report(
            "milter-replay record: writing \(path) did not finish within \(limits.finishTimeout.components.seconds) s of the stop (the disk "
                + "is stalled); \(left.blocks) blocks (\(left.bytes) bytes) still queued are not recorded")
        return Summary(
            connections: written.connections, bytes: written.bytes, error: written.error ?? "the disk stalled",
            dropped: summarizedDrops())
    }

    /// Queues blocks under ``Limits/maximumQueuedBytes``; none once a write has failed (recording stopped). Once
    /// ``finish()`` has begun, blocks (of connections still closing) are counted as dropped instead: queued after
    /// its barrier they would be written, or not, after the summary was made, and counted nowhere. Those that come
    /// after the summary was made are said on standard error, which is where they are counted then.
    private func queue(_ item: Item, to state: inout State) -> Admission {
        guard item.size > 0 else { return Admission() }
        if state.finishing {
            var admission = Admission()
            if case .blocks(let bytes, _) = item, writer.progress.error == nil {
                let late = Dropped(blocks: Self.blockCount(bytes), bytes: bytes.readableBytes)
                state.dropped.blocks += late.blocks
                state.dropped.bytes += late.bytes
                if state.summarized { admission.afterSummary = late }
            }
            return admission
        }
        guard writer.isWriting else { return Admission() }
        return Self.enqueue(item, to: &state, limit: limits.maximumQueuedBytes)
    }

    /// Whether ``finish()`` has begun (its barrier is queued).
    var isFinishing: Bool { state.withLockedValue { $0.finishing } }

    /// Queues `item`, or drops it when that would put more than `limit` bytes in the queue.
    private static func enqueue(_ item: Item, to state: inout State, limit: Int?) -> Admission {
        var admission = Admission()
        if let limit, state.queuedBytes + item.size > limit {
            if case .blocks(let bytes, _) = item {
                let blocks = blockCount(bytes)
                admission.fellBehind = state.behind == nil
                state.behind = Dropped(
                    blocks: (state.behind?.blocks ?? 0) + blocks,
                    bytes: (state.behind?.bytes ?? 0) + bytes.readableBytes)
                state.dropped.blocks += blocks
                state.dropped.bytes += bytes.readableBytes
            }
            return admission
        }
        state.queue.append(item)
        state.queuedBytes += item.size
        if !state.draining {
            state.draining = true
            admission.startDrain = true
        }
        return admission
    }

    /// Starts the writer and says the writer fell behind, as `admission` asks.
    private func admitted(_ admission: Admission) {
        if let late = admission.afterSummary {
            report(
                "milter-replay record: \(late.blocks) blocks (\(late.bytes) bytes) of a connection still closing came "
                    + "after the summary; dropped, not recorded in \(path)")
        }
        if admission.fellBehind {
            report(
                "milter-replay record: writing \(path) is \(limits.maximumQueuedBytes) bytes behind the mail; new "
                    + "blocks are dropped, not recorded, until it catches up; connections are still relayed")
        }
        guard admission.startDrain else { return }
        thread.submit { [self] work in
            guard case .active = work else { return }
            drain()
        }
    }

    /// Writes the queue's items in order until it is empty; on the writer thread, one drain at a time.
    private func drain() {
        while true {
            let (item, caughtUp) = state.withLockedValue { state -> (Item?, Dropped?) in
                guard let item = state.queue.popFirst() else {
                    state.draining = false
                    defer { state.behind = nil }
                    return (nil, state.behind)
                }
                state.queuedBytes -= item.size
                return (item, nil)
            }
            if let caughtUp {
                report(
                    "milter-replay record: writing \(path) caught up; \(caughtUp.blocks) blocks (\(caughtUp.bytes) "
                        + "bytes) were dropped meanwhile")
            }
            switch item {
            case .begin(let header)?: writer.begin(header: header)
            case .blocks(let blocks, let opensConnection)?: writer.write(blocks, opensConnection: opensConnection)
            case .barrier(let done)?: done()
            case nil: return
            }
        }
    }

    /// The pcapng blocks in `bytes`, whole blocks one after another (each with its length at offset 4).
    private static func blockCount(_ bytes: ByteBuffer) -> Int {
        var count = 0
        var offset = bytes.readerIndex
        while let length = bytes.getInteger(at: offset + 4, endianness: .little, as: UInt32.self), length >= 12 {
            count += 1
            offset += Int(length)
        }
        return count
    }

    /// The current time.
    static let wallClock: @Sendable () -> CaptureTimestamp = {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return CaptureTimestamp(seconds: Int64(now.tv_sec), nanoseconds: UInt32(now.tv_nsec))
    }
}
