import _MilterSystem

/// Finds a listening socket handed over by the parent process.
public enum InheritedSocket {
    /// systemd's first passed descriptor.
    public static let systemdFirstDescriptor: Int32 = 3

    /// The socket to use instead of binding, if any: `MILTER_LISTEN_FD=N` first, then systemd socket
    /// activation (`LISTEN_FDS` ≥ 1 and `LISTEN_PID` equal to this process). The variables are
    /// unset so that children do not inherit them, and the descriptor is marked close-on-exec.
    public static func fromEnvironment() -> ListenAddress? {
        if let text = value("MILTER_LISTEN_FD"), let fd = Int32(text), fd >= 0 {
            unsetenv("MILTER_LISTEN_FD")
            markCloseOnExec(fd)
            return .inherited(descriptor: fd)
        }
        guard let count = value("LISTEN_FDS").flatMap(Int.init), count >= 1,
            let pid = value("LISTEN_PID").flatMap(Int32.init), pid == getpid()
        else { return nil }
        for name in ["LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"] { unsetenv(name) }
        markCloseOnExec(systemdFirstDescriptor)
        return .inherited(descriptor: systemdFirstDescriptor)
    }

    private static func value(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

    private static func markCloseOnExec(_ fd: Int32) {
        let flags = fcntl(fd, F_GETFD)
        if flags >= 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
    }
}

/// Removes a unix socket file only when it is stale: it must be a socket, and nothing may accept on it.
package enum StaleSocket {
    /// What was found at the path.
    package enum Finding: Equatable {
        case absent, removed, inUse, notASocket
    }

    package static func clear(path: String) -> Finding {
        var info = stat()
        guard lstat(path, &info) == 0 else { return .absent }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else { return .notASocket }
        guard !isListening(path) else { return .inUse }
        return unlink(path) == 0 ? .removed : .inUse
    }

    private static func isListening(_ path: String) -> Bool {
        #if canImport(Darwin)
        let fd = socket(AF_UNIX, SOCK_STREAM, 0)
        #else
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #endif
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8.prefix(MemoryLayout.size(ofValue: address.sun_path) - 1))
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        return result == 0
    }
}
