import Foundation
import MilterTestSupport
import NIOCore
import Testing

@testable import MilterClient

/// The blocking socket's read timeout: a longer wait keeps a shorter `SO_RCVTIMEO` in force (no
/// `setsockopt` when Postfix's command and content timeouts alternate) and still waits its whole
/// length; a much longer or a shorter wait sets its own.
///
/// The reads block their thread for up to eight seconds: each test's reads run on a thread of its own
/// (``Pair/with(_:)``), never on one of the cooperative pool's two threads that every other test needs meanwhile.
@Suite struct BlockingReadTimeoutTests {
    /// A connected socket and the accepted peer's descriptor; both closed at the end.
    final class Pair {
        let listener: BlockingConnectTests.Listener
        var socket: BlockingSocket
        let peer: Int32

        init() throws {
            listener = try BlockingConnectTests.Listener(unix: false, backlog: 4)
            socket = try BlockingSocket(connectingTo: listener.address, timeout: .seconds(2))
            peer = accept(listener.fd, nil, nil)
            try #require(peer >= 0)
        }

        /// Writes `count` bytes from the peer after `delay`, on a thread of its own.
        func peerWrites(_ count: Int, after delay: TimeAmount) {
            let peer = peer
            Thread.detachNewThread {
                usleep(UInt32(delay.nanoseconds / 1000))
                Self.write(count, to: peer)
            }
        }

        /// Writes `count` bytes from the peer now.
        func peerWrites(_ count: Int) { Self.write(count, to: peer) }

        private static func write(_ count: Int, to peer: Int32) {
            _ = [UInt8](repeating: 0x41, count: count).withUnsafeBytes { send(peer, $0.baseAddress, count, 0) }
        }

        func read(_ timeout: TimeAmount) -> BlockingSocket.ReadResult {
            var buffer = ReceiveBuffer()
            return socket.read(into: &buffer, timeout: timeout, deadline: .now() + timeout)
        }

        deinit {
            socket.close()
            close(peer)
        }

        /// Runs `body` with a new pair, on a thread of its own (``offPool(_:)``), and returns what it saw.
        static func with<T: Sendable>(_ body: @escaping @Sendable (Pair) throws -> T) async throws -> T {
            try await offPool { try body(Pair()) }
        }
    }

    /// Half a second in force and a wait of eight (the longest that keeps it, ``BlockingSocket/longestStretch``
    /// times): the peer's thread has seven seconds to be late in. With 30 ms and 400 ms it had 300 ms, which a
    /// thread on a loaded machine does not promise.
    @Test func aLongerWaitKeepsTheShorterTimeoutAndStillGetsWhatComesAfterIt() async throws {
        let (silent, inForce, result, keptInForce) = try await Pair.with { pair in
            let silent = pair.read(.milliseconds(500))
            let inForce = pair.socket.receiveTimeout
            // The bytes come after the 500 ms in force have run out at least twice.
            pair.peerWrites(5, after: .milliseconds(1_100))
            let result = pair.read(.milliseconds(500 * Int64(BlockingSocket.longestStretch)))
            return (silent, inForce, result, pair.socket.receiveTimeout)
        }
        guard case .timeout = silent else {
            Issue.record("a silent peer is a timeout, not \(silent)")
            return
        }
        #expect(inForce == 500_000)
        guard case .bytes(let count) = result else {
            Issue.record("the wait ended with \(result) before the bytes came")
            return
        }
        #expect(count == 5)
        #expect(keptInForce == 500_000)
    }

    @Test func aLongerWaitTimesOutOnlyAtItsOwnEnd() async throws {
        let (result, waited) = try await Pair.with { pair in
            _ = pair.read(.milliseconds(30))
            let start = NIODeadline.now()
            let result = pair.read(.milliseconds(150))
            return (result, NIODeadline.now() - start)
        }
        guard case .timeout = result else {
            Issue.record("a silent peer is a timeout, not \(result)")
            return
        }
        // A lower bound only: a busy machine makes the wait longer, never shorter.
        #expect(waited >= .milliseconds(150))
    }

    @Test func aShorterWaitAndAFarLongerOneSetTheirOwn() async throws {
        let stretched = 5_000 * BlockingSocket.longestStretch
        let (shorter, result, longer) = try await Pair.with { pair in
            _ = pair.read(.milliseconds(30))
            _ = pair.read(.milliseconds(5))
            let shorter = pair.socket.receiveTimeout
            // Already there when the wait begins (the wait sets its timeout first): a thread writing it had to run
            // within the 81 ms of the wait, which a loaded machine does not promise.
            pair.peerWrites(1)
            let result = pair.read(.microseconds(Int64(stretched) + 1000))
            return (shorter, result, pair.socket.receiveTimeout)
        }
        #expect(shorter == 5_000)
        guard case .bytes = result else {
            Issue.record("the bytes written were not read: \(result)")
            return
        }
        #expect(longer == stretched + 1000)
    }

    @Test func aWaitOfNothingDoesNotWaitNorChangeTheTimeout() async throws {
        let (result, inForce) = try await Pair.with { pair in
            _ = pair.read(.milliseconds(30))
            return (pair.read(.zero), pair.socket.receiveTimeout)
        }
        guard case .timeout = result else {
            Issue.record("nothing waiting is a timeout, not \(result)")
            return
        }
        #expect(inForce == 30_000)
    }
}
