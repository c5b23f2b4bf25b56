import Foundation

/// A plain HTTP client for the tests' scrapes of `daemon --metrics`.
package enum HTTPGet {
    /// One HTTP/1.1 GET on a blocking socket with a 10 s receive timeout, on a thread of its own (``offPool(_:)``):
    /// a daemon slow to answer under load must not hold one of the cooperative pool's threads meanwhile.
    package static func get(_ path: String, port: Int) async throws -> (status: Int, body: String) {
        try await offPool { try getBlocking(path, port: port) }
    }

    private static func getBlocking(_ path: String, port: Int) throws -> (status: Int, body: String) {
        let address = try NumericSocketAddress(host: "127.0.0.1", port: port)
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket failed") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard address.withPointer({ connect(fd, $0, $1) }) == 0 else { throw HarnessError("connect failed") }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        guard write(fd, request, request.count) == request.count else { throw HarnessError("write failed") }
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while response.count < 4_000_000 {
            let count = read(fd, &chunk, chunk.count)
            if count <= 0 { break }
            response += chunk[0..<count]
        }
        let text = String(decoding: response, as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        let statusLine = parts.first?.split(separator: "\r\n").first ?? ""
        let status = statusLine.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return (status, parts.dropFirst().joined(separator: "\r\n\r\n"))
    }
}
