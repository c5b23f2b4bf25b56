import NIOConcurrencyHelpers
import NIOCore
import _MilterSystem

/// The writing end of a ``RecordingFile``, used on its writer thread only: the open descriptor, what reached the
/// file, and the write that failed, if one did. Nothing here runs on an event loop, so a slow disk delays the
/// capture, never the mail.
final class CaptureFileWriter: Sendable {
    /// What reached the file.
    struct Written: Sendable {
        /// Connections whose opening blocks were written.
        var connections = 0
        /// Bytes written, all of them whole blocks.
        var bytes = 0
        /// Why writing stopped, if it did.
        var error: String?
    }

    private struct State {
        /// The open file, until it is closed or a write fails.
        var descriptor: Int32?
        var written = Written()
    }

    /// The file's path, for messages.
    let path: String
    private let sink: CaptureSink
    private let report: @Sendable (String) -> Void
    private let state: NIOLockedValueBox<State>
    /// Whether the file was closed or a write failed, apart from ``state``, whose lock is held through a write: the
    /// event loops ask it (``isWriting``) and must not wait for the disk.
    private let stopped = NIOLockedValueBox(false)
    /// What reached the file so far, apart from ``state``, whose lock a stalled write holds: ``progress``.
    private let reached = NIOLockedValueBox(Written())

    init(path: String, descriptor: Int32, sink: CaptureSink, report: @escaping @Sendable (String) -> Void) {
        self.path = path
        self.sink = sink
        self.report = report
        state = NIOLockedValueBox(State(descriptor: descriptor))
    }

    /// Whether the file is still written to: it is open and no write failed.
    var isWriting: Bool { !stopped.withLockedValue { $0 } }

    /// What reached the file so far, readable while a write is stalled.
    var progress: Written { reached.withLockedValue { $0 } }

    /// Stops taking writes without waiting for one under way (a stalled disk): ``isWriting`` turns false. The
    /// descriptor is left to the write under way and the process's exit.
    func abandon() { stopped.withLockedValue { $0 = true } }

    /// Empties the file, makes it readable by its owner only and writes `header`.
    func begin(header: ByteBuffer) {
        state.withLockedValue { state in
            guard let descriptor = state.descriptor else { return }
            guard SystemCall.replaceContents(descriptor) else {
                state.written.error = SystemCall.errorText(errno)
                let failed = state.written
                reached.withLockedValue { $0 = failed }
                SystemCall.close(descriptor)
                state.descriptor = nil
                stopped.withLockedValue { $0 = true }
                report(
                    "milter-replay record: cannot empty \(path): \(state.written.error ?? ""); nothing is recorded, "
                        + "connections are still relayed")
                return
            }
            write(header, opensConnection: false, state: &state)
        }
    }

    /// Appends `blocks`; `opensConnection` counts a connection once they are written.
    func write(_ blocks: ByteBuffer, opensConnection: Bool) {
        state.withLockedValue { write(blocks, opensConnection: opensConnection, state: &$0) }
    }

    /// Closes the file (if a write failure has not); returns what reached it.
    func close() -> Written {
        state.withLockedValue { state in
            if let descriptor = state.descriptor { SystemCall.close(descriptor) }
            state.descriptor = nil
            stopped.withLockedValue { $0 = true }
            return state.written
        }
    }

    private func write(_ blocks: ByteBuffer, opensConnection: Bool, state: inout State) {
        guard let descriptor = state.descriptor, blocks.readableBytes > 0 else { return }
        if let failure = sink.write(descriptor, Array(blocks.readableBytesView)) {
            stop(&state, descriptor: descriptor, failure: failure)
            return
        }
        state.written.bytes += blocks.readableBytes
        // Only connections that reach the file are counted: "wrote N connections" once writing stopped.
        if opensConnection { state.written.connections += 1 }
        let written = state.written
        reached.withLockedValue { $0 = written }
    }

    /// A write failed (a full disk, a file size limit): recording stops, and proxying goes on, so a full disk never
    /// stops the mail. The file is cut back to its last whole block, so that it stays a valid capture (a partly
    /// written block made readers warn, and tshark report the file cut short), and the failure is said at once on
    /// standard error, not only when the recorder stops.
    private func stop(_ state: inout State, descriptor: Int32, failure: Int32) {
        state.written.error = SystemCall.errorText(failure)
        let failed = state.written
        reached.withLockedValue { $0 = failed }
        let cut = ftruncate(descriptor, off_t(state.written.bytes)) == 0
        SystemCall.close(descriptor)
        state.descriptor = nil
        stopped.withLockedValue { $0 = true }
        let kept =
            cut
            ? "the capture ends with its last whole block (\(state.written.bytes) bytes)"
            : "the capture may end with a partial block (cutting it back failed: \(SystemCall.errorText(errno)))"
        report(
            "milter-replay record: writing \(path) failed: \(state.written.error ?? ""); recording stopped, \(kept); "
                + "connections are still relayed")
    }
}
