import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A TCP listener on 127.0.0.1 that writes `greeting` to every connection (after `delayMicroseconds`), as a
/// server that speaks first (SMTP, FTP) does, and leaves it open or, with `closing`, closes it at once.
package final class GreetingServer: Sendable {
    package let port: Int
    private let fd: Int32

    package init(greeting: String, delayMicroseconds: UInt32 = 0, closing: Bool = false) throws {
        (fd, port) = try FreePort.boundSocket()
        guard listen(fd, 16) == 0 else { throw HarnessError("listen failed: errno \(errno)") }
        let listener = fd
        Thread.detachNewThread {
            while true {
                let client = Glibc.accept(listener, nil, nil)
                guard client >= 0 else { return }
                if delayMicroseconds > 0 { usleep(delayMicroseconds) }
                _ = greeting.utf8CString.withUnsafeBufferPointer { write(client, $0.baseAddress, $0.count - 1) }
                if closing { close(client) }
            }
        }
    }

    /// Stops accepting (the thread's accept fails once the socket is shut down).
    package func stop() {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }
}
