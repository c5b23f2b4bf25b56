import Foundation
import MilterProtocol
import MilterTestSupport
import NIOCore
import Testing

@testable import MilterClient

/// The blocking connection's connect: bounded by the connect timeout whether the milter is a
/// TCP or a Unix socket, an error in words, and an address literal or a host name alike.
@Suite struct BlockingConnectTests {
    /// A listener that never accepts, with a backlog of `backlog`; closed at the end.
    final class Listener {
        let fd: Int32
        let address: MilterAddress
        private let path: String?

        init(unix: Bool, backlog: Int32 = 0) throws {
            if unix {
                let path = "/tmp/milter-connect-test-\(UInt32.random(in: 0...UInt32.max)).sock"
                let listening = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
                var storage = sockaddr_un()
                storage.sun_family = sa_family_t(AF_UNIX)
                withUnsafeMutableBytes(of: &storage.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
                let bound = withUnsafePointer(to: &storage) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        bind(listening, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                    }
                }
                fd = listening
                self.path = path
                try #require(bound == 0 && listen(listening, backlog) == 0)
                address = .unix(path: path)
            } else {
                let listening = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                var storage = sockaddr_in()
                storage.sin_family = sa_family_t(AF_INET)
                storage.sin_addr.s_addr = inet_addr("127.0.0.1")
                var length = socklen_t(MemoryLayout<sockaddr_in>.size)
                let bound = withUnsafeMutablePointer(to: &storage) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        bind(listening, $0, length) == 0 && listen(listening, backlog) == 0
                            && getsockname(listening, $0, &length) == 0
                    }
                }
                fd = listening
                path = nil
                try #require(bound)
                address = .inet(host: "127.0.0.1", port: Int(UInt16(bigEndian: storage.sin_port)))
            }
        }

        deinit {
            close(fd)
            if let path { unlink(path) }
        }
    }

    /// Connects until one connect fails (the backlog fills), keeping the others open; that failure.
    static func fill(_ listener: Listener) -> String? {
        var open: [BlockingSocket] = []
        defer { open.forEach { $0.close() } }
        for _ in 0..<16 {
            do {
                open.append(try BlockingSocket(connectingTo: listener.address, timeout: .milliseconds(200)))
            } catch {
                return error.reason
            }
        }
        return nil
    }

    /// ``fill(_:)`` on a thread of its own (``offPool(_:)``): its last connect blocks for its whole timeout.
    static func fillOffPool(unix: Bool) async throws -> String? {
        try await offPool { Self.fill(try Listener(unix: unix)) }
    }

    @Test func aTCPListenerThatNeverAcceptsIsAConnectTimeout() async throws {
        let failure = try await Self.fillOffPool(unix: false)
        #expect(failure == "no answer within 0.2 s (connect timed out)")
    }

    @Test func aUnixSocketWhoseBacklogStaysFullIsAConnectTimeout() async throws {
        let failure = try await Self.fillOffPool(unix: true)
        #expect(failure == "no answer within 0.2 s (connect timed out)")
    }

    @Test func aClosedPortIsRefusedInWords() throws {
        let port: Int
        do {
            let listener = try Listener(unix: false)
            guard case .inet(_, let number) = listener.address else { return }
            port = number
        }
        #expect(throws: BlockingSocketError.self) {
            try BlockingSocket(connectingTo: .inet(host: "127.0.0.1", port: port), timeout: .seconds(2))
        }
        do {
            _ = try BlockingSocket(connectingTo: .inet(host: "127.0.0.1", port: port), timeout: .seconds(2))
        } catch {
            #expect(error.reason == "connection refused")
        }
    }

    /// An address literal connects without the resolver, a host name through it: the same listener. On a thread of
    /// its own (``offPool(_:)``): the resolver's lookups block it.
    @Test func aLiteralAndAHostNameReachTheSameListener() async throws {
        let unknownHost = try await offPool { () -> Result<Void, BlockingSocketError> in
            let listener = try Listener(unix: false, backlog: 16)
            guard case .inet(_, let port) = listener.address else { return .success(()) }
            for host in ["127.0.0.1", "localhost"] {
                let socket = try BlockingSocket(connectingTo: .inet(host: host, port: port), timeout: .seconds(2))
                socket.close()
            }
            do throws(BlockingSocketError) {
                _ = try BlockingSocket(
                    connectingTo: .inet(host: "no-such-host.invalid", port: port), timeout: .seconds(2))
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        #expect(throws: BlockingSocketError.self) { try unknownHost.get() }
    }
}
