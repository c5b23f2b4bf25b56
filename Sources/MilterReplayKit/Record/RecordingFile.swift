import MilterCapture
import NIOConcurrencyHelpers
import NIOCore
import _MilterSystem

/// The pcapng file a recording proxy writes: every relayed chunk becomes synthesised TCP segments,
/// written (and so handed to the kernel) at once, so the file is readable while recording goes on
/// and complete up to the last chunk if the process dies. Safe to use from every event loop.
final class RecordingFile: Sendable {
    private struct State {
        var recorder: CaptureRecorder
        /// The open file, until it is closed or a write fails.
        var writer: FileDescriptorWriter?
        /// Whether the file has been emptied and its header written (``begin()``).
        var begun = false
        var bytesWritten = 0
        var connections = 0
        var writeError: String?
    }

    /// The file's path.
    let path: String
    /// Whether the file did not exist before: ``abandon()`` then removes it.
    private let created: Bool
    private let clock: @Sendable () -> CaptureTimestamp
    private let state: NIOLockedValueBox<State>

    /// Opens (or creates) the file, never through a symbolic link (it holds mail), and changes
    /// nothing in it yet: ``begin()`` (or the first connection) empties it, sets mode 0600 and writes
    /// the header, and ``abandon()`` leaves a file that existed as it was.
    init(path: String, clock: @escaping @Sendable () -> CaptureTimestamp = RecordingFile.wallClock) throws {
        let (descriptor, created) = SystemCall.openForReplacing(path)
        guard descriptor >= 0 else {
            throw PcapLoadError(description: "cannot create \(path): \(SystemCall.errorText(errno))")
        }
        self.path = path
        self.created = created
        self.clock = clock
        state = NIOLockedValueBox(
            State(recorder: CaptureRecorder(), writer: FileDescriptorWriter(descriptor: descriptor)))
    }

    /// Empties the file and writes its header, once: recording has started.
    func begin() { state.withLockedValue { Self.begin(&$0) } }

    /// Closes the file without having written to it (the proxy could not start): a file that
    /// existed is left as it was, one created here is removed.
    func abandon() {
        let begun = state.withLockedValue { state in
            if let writer = state.writer { SystemCall.close(writer.descriptor) }
            state.writer = nil
            return state.begun
        }
        if created, !begun { unlink(path) }
    }

    private static func begin(_ state: inout State) {
        guard !state.begun else { return }
        state.begun = true
        guard let writer = state.writer else { return }
        guard SystemCall.replaceContents(writer.descriptor) else {
            state.writeError = SystemCall.errorText(errno)
            SystemCall.close(writer.descriptor)
            state.writer = nil
            return
        }
        write(state.recorder.fileHeader(), to: &state)
    }

    /// Starts recording a connection between `client` (the MTA) and `server` (the milter).
    func open(client: Endpoint, server: Endpoint) -> CaptureRecorder.Connection {
        let now = clock()
        return state.withLockedValue { state in
            let (connection, blocks) = state.recorder.open(client: client, server: server, at: now)
            state.connections += 1
            Self.write(blocks, to: &state)
            return connection
        }
    }

    /// Records bytes relayed on `connection`.
    func record(_ bytes: ByteBuffer, from direction: StreamDirection, on connection: CaptureRecorder.Connection) {
        let now = clock()
        state.withLockedValue { state in
            Self.write(state.recorder.record(bytes, from: direction, on: connection, at: now), to: &state)
        }
    }

    /// Records the end of `connection`, closed first by `direction`'s sender; later calls do nothing.
    func close(_ connection: CaptureRecorder.Connection, from direction: StreamDirection) {
        let now = clock()
        state.withLockedValue { state in
            Self.write(state.recorder.close(connection, from: direction, at: now), to: &state)
        }
    }

    /// Closes the file; returns the connections recorded, the bytes written and the write error, if any.
    func finish() -> (connections: Int, bytes: Int, error: String?) {
        state.withLockedValue { state in
            if let writer = state.writer { SystemCall.close(writer.descriptor) }
            state.writer = nil
            return (state.connections, state.bytesWritten, state.writeError)
        }
    }

    private static func write(_ blocks: ByteBuffer, to state: inout State) {
        begin(&state)
        guard var writer = state.writer, blocks.readableBytes > 0 else { return }
        writer.write(Array(blocks.readableBytesView))
        if let failure = writer.failure {
            // Recording stops; proxying goes on, so a full disk never stops the mail.
            state.writeError = SystemCall.errorText(failure)
            SystemCall.close(writer.descriptor)
            state.writer = nil
        } else {
            state.bytesWritten += blocks.readableBytes
        }
    }

    /// The current time.
    static let wallClock: @Sendable () -> CaptureTimestamp = {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return CaptureTimestamp(seconds: Int64(now.tv_sec), nanoseconds: UInt32(now.tv_nsec))
    }
}
