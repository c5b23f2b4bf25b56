/// Removes a unix socket file only when it is stale: it must be a socket (not a symbolic link), and a
/// connect to it must be refused (`ECONNREFUSED`). Any other answer (`EACCES`, `EAGAIN` from a full
/// backlog, …) leaves the file alone: a live server's socket is never taken away.
package enum StaleSocket {
    /// What was found at the path.
    package enum Finding: Hashable, Sendable {
        case absent, removed, inUse, notASocket, symbolicLink
        /// The path does not fit in `sun_path`; `limit` is the longest path that does, in bytes.
        case pathTooLong(limit: Int)
        /// A connect failed with something else than `ECONNREFUSED`: whether it is in use is unknown.
        case undetermined(errno: Int32)
        /// The socket is stale but could not be removed.
        case cannotRemove(errno: Int32)

        /// Why the path cannot be bound, or `nil` when it can.
        package func problem(path: String) -> String? {
            switch self {
            case .absent, .removed: nil
            case .inUse: "another process listens on \(path)"
            case .notASocket: "\(path) exists and is not a socket; not removing it"
            case .symbolicLink: "\(path) is a symbolic link; refusing to listen there"
            case .pathTooLong(let limit):
                "the socket path \(path) is \(path.utf8.count) bytes; a unix socket path has at most \(limit)"
            case .undetermined(let code):
                "cannot tell whether \(path) is in use (connect: \(String(cString: strerror(code)))); not removing it"
            case .cannotRemove(let code): "cannot remove the stale socket \(path): \(String(cString: strerror(code)))"
            }
        }
    }

    /// The longest unix socket path, in bytes (`sun_path` less its terminating NUL).
    package static var maximumPathLength: Int { MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1 }

    /// Looks at the path and removes a stale socket there.
    package static func clear(path: String) -> Finding {
        guard path.utf8.count <= maximumPathLength else { return .pathTooLong(limit: maximumPathLength) }
        var info = stat()
        guard lstat(path, &info) == 0 else { return .absent }
        if (info.st_mode & S_IFMT) == S_IFLNK { return .symbolicLink }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else { return .notASocket }
        switch connectError(path) {
        case 0: return .inUse
        case ECONNREFUSED: return unlink(path) == 0 || errno == ENOENT ? .removed : .cannotRemove(errno: errno)
        case let code: return .undetermined(errno: code)
        }
    }

    /// 0 when a connect succeeds, else its errno.
    private static func connectError(_ path: String) -> Int32 {
        #if canImport(Darwin)
        let fd = socket(AF_UNIX, SOCK_STREAM, 0)
        #else
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #endif
        guard fd >= 0 else { return errno }
        defer { close(fd) }
        // Non-blocking: a full backlog answers EAGAIN instead of holding the start-up.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        return result == 0 ? 0 : errno
    }
}
