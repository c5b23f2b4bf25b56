import Foundation
import MilterReplayKit
import MilterTestSupport
import Synchronization
import Testing

/// `--pcap` read from a pipe (`tcpdump -w - | milter-replay --pcap /dev/stdin`): the capture is read once, from
/// the reader that checked it, and a milter that cannot be reached ends the run at once, however long the pipe
/// stays open.
@Suite struct PcapPipeTests {
    static let capture = ReplayBinary.fixture("pcap/postfix-cmilter-lo.pcap")

    @Test func aCaptureFromAPipeIsReplayedAsFromItsFile() async throws {
        let fromFile = try await ReplayBinary.run(["--pcap", Self.capture])
        let pipe = try CapturePipe(feeding: Data(contentsOf: URL(fileURLWithPath: Self.capture)), holdingOpen: false)
        defer { pipe.remove() }
        let fromPipe = try await ReplayBinary.run(["--pcap", pipe.path])
        #expect(fromPipe.status == fromFile.status, "\(fromPipe.stderr)")
        #expect(fromFile.stdout.contains("sessions: 4 "), "\(fromFile.stdout)")
        #expect(Self.summary(fromPipe.stdout) == Self.summary(fromFile.stdout), "\(fromPipe.stdout)")
    }

    /// `--pcap -` reads standard input.
    @Test func aDashReadsStandardInput() async throws {
        let fromFile = try await ReplayBinary.run(["--pcap", Self.capture, "--dump"])
        let fromInput = try await ProcessRunner.run(
            TestPaths.builtProduct("milter-replay"), ["--pcap", "-", "--dump"],
            input: Data(contentsOf: URL(fileURLWithPath: Self.capture)), timeout: .seconds(30))
        #expect(fromInput.status == 0, "\(fromInput.stderr)")
        #expect(fromInput.stdout == fromFile.stdout && !fromFile.stdout.isEmpty)
    }

    /// The pipe stays open after the capture's four sessions, one for each connection: the reader waits in `read`
    /// for more. The milter's port never accepts, so each connect takes its whole timeout, by which time the
    /// reader waits.
    @Test func anUnreachableMilterEndsTheRunWhileThePipeStaysOpen() async throws {
        let listener = try await FullListener()
        let pipe = try CapturePipe(feeding: Data(contentsOf: URL(fileURLWithPath: Self.capture)), holdingOpen: true)
        defer { pipe.remove() }
        let result = try await ReplayBinary.run(
            [
                "--pcap", pipe.path, "--target", "127.0.0.1:\(listener.port)", "--timeout", "1", "--connections",
                "4",
            ], timeout: .seconds(30))
        #expect(pipe.isOpen, "the pipe was still open when milter-replay ended")
        pipe.close()
        #expect(result.status == ExitCodes.connectFailed, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("cannot connect to 127.0.0.1:\(listener.port)"), "\(result.stderr)")
    }

    /// The output's lines without the times, which differ from run to run: each session's duration, and the
    /// summary's throughput and latency.
    static func summary(_ stdout: String) -> [String] {
        stdout.split(separator: "\n").filter { !$0.hasPrefix("throughput") && !$0.hasPrefix("latency") }
            .map { String($0.replacing(/, [0-9.]+ ms\)/, with: ")")) }
    }
}

/// A named pipe whose writer, on a thread of its own, writes `bytes` once a reader opens it, then closes it, or
/// holds it open until ``close()``.
private final class CapturePipe: Sendable {
    let path: String
    private let directory: URL
    private let state = Mutex((open: true, release: false))

    init(feeding bytes: Data, holdingOpen: Bool) throws {
        state.withLock { $0.release = !holdingOpen }
        directory = try Scratch.makeDirectory("pcap-pipe")
        path = directory.appendingPathComponent("capture.pcap").path
        try #require(mkfifo(path, 0o600) == 0)
        let path = path
        Thread.detachNewThread { [self] in
            let fd = open(path, O_WRONLY)  // waits for the reader
            guard fd >= 0 else { return }
            bytes.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let written = write(fd, raw.baseAddress! + offset, raw.count - offset)
                    if written <= 0 { break }
                    offset += written
                }
            }
            while !state.withLock(\.release) { usleep(10_000) }
            Glibc.close(fd)
            state.withLock { $0.open = false }
        }
    }

    /// Whether the writer still holds the pipe open.
    var isOpen: Bool { state.withLock(\.open) }

    /// Lets the writer close the pipe.
    func close() { state.withLock { $0.release = true } }

    /// Lets the writer go and removes the pipe.
    func remove() {
        close()
        Scratch.remove(directory)
    }
}

/// A TCP listener on 127.0.0.1 that never accepts, its backlog filled: a connect to it gets no answer.
private final class FullListener {
    private let listening: Int32
    private var fillers: [Int32] = []
    let port: Int

    init() async throws {
        let listening = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listening = listening
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listening, $0, length) == 0 && listen(listening, 0) == 0
                    && getsockname(listening, $0, &length) == 0
            }
        }
        try #require(bound)
        port = Int(UInt16(bigEndian: address.sin_port))
        // Linux queues one connection at backlog 0 and drops the SYNs after it; a few more to be sure.
        for _ in 0..<4 {
            let filler = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(filler, $0, length) }
            }
            fillers.append(filler)
        }
        try await Task.sleep(for: .milliseconds(100))  // the handshakes that can complete do
    }

    deinit {
        for filler in fillers { close(filler) }
        close(listening)
    }
}
