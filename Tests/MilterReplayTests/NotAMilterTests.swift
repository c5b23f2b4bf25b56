import Foundation
import MilterTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A target that is not a milter: a server that greets in text is named for what it looks like, and one that
/// accepts and never answers is reported with the step that timed out.
struct NotAMilterTests {
    static let accept = ReplayBinary.fixture("replay/accept.eml")

    @Test(arguments: [
        ("220 mx.example.test ESMTP\r\n", "this looks like an SMTP server, not a milter"),
        ("HTTP/1.1 400 Bad Request\r\n\r\n", "this looks like an HTTP server, not a milter"),
    ])
    func aTextServerIsNamed(greeting: String, words: String) async throws {
        let server = try GreetingServer(greeting: greeting)
        defer { server.stop() }
        let result = try await ReplayBinary.run(["--target", "127.0.0.1:\(server.port)", Self.accept])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.contains(words), "\(result.stdout)")
    }

    /// The kernel completes the handshake on a listening socket nobody accepts from, so the connection opens and
    /// no reply ever comes.
    @Test func aSilentTargetNamesTheStepThatTimedOut() async throws {
        let (fd, port) = try FreePort.boundSocket()
        defer { close(fd) }
        #expect(listen(fd, 4) == 0)
        let result = try await ReplayBinary.run(["--target", "127.0.0.1:\(port)", "--timeout", "0.2", Self.accept])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.contains("timeout at OPTNEG"), "\(result.stdout)")
        #expect(result.stdout.contains("no reply within 200 ms"), "\(result.stdout)")
    }
}

/// A TCP listener on 127.0.0.1 that writes `greeting` to every connection and leaves it open.
private final class GreetingServer: Sendable {
    let port: Int
    private let fd: Int32

    init(greeting: String) throws {
        (fd, port) = try FreePort.boundSocket()
        guard listen(fd, 4) == 0 else { throw HarnessError("listen failed: errno \(errno)") }
        let listener = fd
        Thread.detachNewThread {
            while true {
                let client = Glibc.accept(listener, nil, nil)
                guard client >= 0 else { return }
                _ = greeting.utf8CString.withUnsafeBufferPointer { write(client, $0.baseAddress, $0.count - 1) }
            }
        }
    }

    /// Stops accepting (the thread's accept fails once the socket is shut down).
    func stop() {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }
}
