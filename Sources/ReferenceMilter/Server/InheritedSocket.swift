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
