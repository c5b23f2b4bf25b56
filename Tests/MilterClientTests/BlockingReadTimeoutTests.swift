import Foundation
import NIOCore
import Testing

@testable import MilterClient

/// The blocking socket's read timeout: a longer wait keeps a shorter `SO_RCVTIMEO` in force (no
/// `setsockopt` when Postfix's command and content timeouts alternate) and still waits its whole
/// length; a much longer or a shorter wait sets its own.
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
            var buffer = ByteBuffer()
            return socket.read(into: &buffer, timeout: timeout, deadline: .now() + timeout)
        }

        deinit {
            socket.close()
            close(peer)
        }
    }

    /// Half a second in force and a wait of eight (the longest that keeps it, ``BlockingSocket/longestStretch``
    /// times): the peer's thread has seven seconds to be late in. With 30 ms and 400 ms it had 300 ms, which a
    /// thread on a loaded machine does not promise.
    @Test func aLongerWaitKeepsTheShorterTimeoutAndStillGetsWhatComesAfterIt() throws {
        let pair = try Pair()
        guard case .timeout = pair.read(.milliseconds(500)) else {
            Issue.record("a silent peer is a timeout")
            return
        }
        #expect(pair.socket.receiveTimeout == 500_000)
        // The bytes come after the 500 ms in force have run out at least twice.
        pair.peerWrites(5, after: .milliseconds(1_100))
        let result = pair.read(.milliseconds(500 * Int64(BlockingSocket.longestStretch)))
        guard case .bytes(let count) = result else {
            Issue.record("the wait ended with \(result) before the bytes came")
            return
        }
        #expect(count == 5)
        #expect(pair.socket.receiveTimeout == 500_000)
    }

    @Test func aLongerWaitTimesOutOnlyAtItsOwnEnd() throws {
        let pair = try Pair()
        _ = pair.read(.milliseconds(30))
        let start = NIODeadline.now()
        guard case .timeout = pair.read(.milliseconds(150)) else {
            Issue.record("a silent peer is a timeout")
            return
        }
        // A lower bound only: a busy machine makes the wait longer, never shorter.
        #expect(NIODeadline.now() - start >= .milliseconds(150))
    }

    @Test func aShorterWaitAndAFarLongerOneSetTheirOwn() throws {
        let pair = try Pair()
        _ = pair.read(.milliseconds(30))
        _ = pair.read(.milliseconds(5))
        #expect(pair.socket.receiveTimeout == 5_000)
        let stretched = 5_000 * BlockingSocket.longestStretch
        // Already there when the wait begins (the wait sets its timeout first): a thread writing it had to run
        // within the 81 ms of the wait, which a loaded machine does not promise.
        pair.peerWrites(1)
        guard case .bytes = pair.read(.microseconds(Int64(stretched) + 1000)) else {
            Issue.record("the bytes written were not read")
            return
        }
        #expect(pair.socket.receiveTimeout == stretched + 1000)
    }

    @Test func aWaitOfNothingDoesNotWaitNorChangeTheTimeout() throws {
        let pair = try Pair()
        _ = pair.read(.milliseconds(30))
        guard case .timeout = pair.read(.zero) else {
            Issue.record("nothing waiting is a timeout")
            return
        }
        #expect(pair.socket.receiveTimeout == 30_000)
    }
}
