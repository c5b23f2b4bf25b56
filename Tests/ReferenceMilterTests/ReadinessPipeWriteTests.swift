import Foundation
import MilterTestSupport
import Testing

/// The built `reference-milter daemon` writing its readiness byte to `MILTER_READY_FD` when nobody takes it: a pipe
/// that is full (its reader never reads) or whose reader is gone. The write blocked for ever on a full pipe (a thread
/// of the daemon's start-up held, and nothing said why the byte never came), and a reader gone failed with EPIPE
/// unsaid; now the write waits a bounded time, a failure is logged, and the milter is served.
@Suite(.tags(.integration)) struct ReadinessPipeWriteTests {
    /// A FIFO in `directory` with a reader that never reads, filled until a write would block.
    private struct FullPipe {
        let path: String
        private(set) var reader: Int32

        init(in directory: URL) throws {
            path = directory.appendingPathComponent("ready.fifo").path
            guard mkfifo(path, 0o600) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
            reader = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
            let writer = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
            guard reader >= 0, writer >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
            let block = [UInt8](repeating: 0x2E, count: 4096)
            while block.withUnsafeBytes({ write(writer, $0.baseAddress, $0.count) }) > 0 {}
            var byte: UInt8 = 0x2E
            while write(writer, &byte, 1) == 1 {}
            close(writer)
        }

        mutating func closeReader() {
            if reader >= 0 { close(reader) }
            reader = -1
        }
    }

    /// Starts the daemon with the FIFO as descriptor 4 (`MILTER_READY_FD=4`) and waits until it listens. With
    /// `closingReader`, the shell opens the FIFO and then waits (for a file `hold` to go) before it becomes the
    /// daemon; the reader is closed while it waits, so the daemon starts with the reader already gone, however slowly
    /// this test is scheduled. (The test used to close the reader once the daemon held the FIFO: on a loaded machine
    /// the daemon could have waited its 5 s for the full pipe and closed it before the test looked: the CI of session 28's stop failed so.) The
    /// handshake timeout is long: the test MTA's OPTNEG may be late on a busy machine, and the 5 s default closed it.
    private static func daemon(
        _ pipe: inout FullPipe, port: Int, log: URL, closingReader: Bool = false
    ) async throws -> BackgroundProcess {
        let hold = URL(fileURLWithPath: pipe.path).deletingLastPathComponent().appendingPathComponent("hold").path
        if closingReader { _ = FileManager.default.createFile(atPath: hold, contents: nil) }
        let process = try BackgroundProcess.start(
            "/bin/sh",
            [
                "-c", "exec 4>'\(pipe.path)'; while [ -e '\(hold)' ]; do sleep 0.01; done; exec \"$0\" \"$@\"",
                TestPaths.builtProduct("reference-milter"), "daemon",
                "127.0.0.1:\(port)", "--log-level", "info", "--handshake-timeout", "120",
            ],
            logFile: log, environment: DaemonTests.cleanEnvironment.merging(["MILTER_READY_FD": "4"]) { $1 })
        if closingReader {
            let descriptor = "/proc/\(process.pid)/fd/4"
            _ = try await pollUntil("the FIFO open for writing", timeout: .seconds(60), interval: .milliseconds(5)) {
                FileManager.default.fileExists(atPath: descriptor) ? true : nil
            }
            pipe.closeReader()
            try FileManager.default.removeItem(atPath: hold)
        }
        try await FreePort.waitUntilListening(port: port)
        return process
    }

    /// Checks that the daemon said why the byte was not written, still runs and still answers an MTA.
    private static func expectServed(_ process: BackgroundProcess, port: Int, reason: String) async throws {
        let said = try await pollUntil("the readiness failure logged", timeout: .seconds(60)) {
            process.log().contains("cannot write the readiness byte to MILTER_READY_FD") ? true : nil
        }
        #expect(said)
        let log = process.log()
        #expect(log.contains(reason), "\(log)")
        #expect(log.contains("listening"), "\(log)")
        let mta = try await TestMTA.connect(port: port)
        _ = try await mta.negotiate()
        await mta.close()
        #expect(process.isRunning, "\(process.log())")
    }

    /// The reader never reads and the pipe is full: the daemon gives up after its bounded wait and serves.
    @Test func aFullPipeIsGivenUpAfterABoundedWait() async throws {
        let directory = try Scratch.makeDirectory("ready-full")
        defer { Scratch.remove(directory) }
        var pipe = try FullPipe(in: directory)
        defer { pipe.closeReader() }
        let port = try FreePort.allocate()
        let process = try await Self.daemon(&pipe, port: port, log: directory.appendingPathComponent("daemon.log"))
        do {
            try await Self.expectServed(process, port: port, reason: "the pipe stayed full")
        } catch {
            Issue.record("daemon log:\n\(process.log())")
            await process.stop()
            throw error
        }
        await process.stop()
    }

    /// The reader is gone: EPIPE (and SIGPIPE, ignored) is logged, and the daemon serves.
    @Test func aReaderGoneIsLoggedAndDoesNotEndTheDaemon() async throws {
        let directory = try Scratch.makeDirectory("ready-gone")
        defer { Scratch.remove(directory) }
        var pipe = try FullPipe(in: directory)
        defer { pipe.closeReader() }
        let port = try FreePort.allocate()
        // Nobody will read it: the reader is closed once the daemon's process holds the FIFO open for writing.
        let process = try await Self.daemon(
            &pipe, port: port, log: directory.appendingPathComponent("daemon.log"), closingReader: true)
        do {
            try await Self.expectServed(process, port: port, reason: "nobody reads it")
        } catch {
            Issue.record("daemon log:\n\(process.log())")
            await process.stop()
            throw error
        }
        await process.stop()
    }
}
