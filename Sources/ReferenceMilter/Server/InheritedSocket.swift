import _MilterSystem

/// Finds a listening socket handed over by the parent process.
public enum InheritedSocket {
    /// systemd's first passed descriptor.
    public static let systemdFirstDescriptor: Int32 = 3

    /// Whether a supervisor that hands its socket from one daemon to the next (reload-proxy) passed
    /// it, in `MILTER_LISTEN_FD`, as opposed to systemd socket activation or none: the daemon this
    /// one replaces may still be draining, and holding its other ports (`--metrics`) for a while.
    /// Read it before ``fromEnvironment()``, which unsets the variable.
    public static var isHandedOver: Bool { value("MILTER_LISTEN_FD") != nil }

    /// The socket to use instead of binding, if any: `MILTER_LISTEN_FD=N` first, then systemd socket
    /// activation (`LISTEN_FDS` = 1 and `LISTEN_PID` equal to this process). The variables are
    /// unset so that children do not inherit them, and the descriptor is marked close-on-exec.
    /// Throws when a variable meant for this process is not a usable number.
    public static func fromEnvironment() throws(InheritedSocketError) -> ListenAddress? {
        let variables = variables(read: ["MILTER_LISTEN_FD", "LISTEN_FDS", "LISTEN_PID"])
        guard let found = try parse(variables, pid: getpid()) else { return nil }
        let names =
            variables["MILTER_LISTEN_FD"] != nil
            ? ["MILTER_LISTEN_FD"] : ["LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"]
        for name in names { unsetenv(name) }
        if case .inherited(let fd) = found { markCloseOnExec(fd) }
        return found
    }

    /// What the variables name, for the process `pid`, without reading or changing the process's
    /// environment: `MILTER_LISTEN_FD=N` first, then systemd's `LISTEN_FDS` with `LISTEN_PID`.
    /// `LISTEN_FDS` with another process's `LISTEN_PID` is not for `pid` and is ignored, as systemd
    /// specifies; a value meant for `pid` that is not a usable number, or that passes more than one socket
    /// (``checkSystemdCount(_:)``), is an error, never ignored.
    public static func parse(
        _ variables: [String: String], pid: Int32
    ) throws(InheritedSocketError)
        -> ListenAddress?
    {
        if let text = variables["MILTER_LISTEN_FD"] {
            guard let fd = Int32(text), fd >= 0 else {
                throw InheritedSocketError("MILTER_LISTEN_FD=\(text.debugDescription) is not a descriptor number")
            }
            return .inherited(descriptor: fd)
        }
        guard let owner = variables["LISTEN_PID"].flatMap(Int32.init), owner == pid,
            let count = variables["LISTEN_FDS"]
        else { return nil }
        try checkSystemdCount(count)
        return .inherited(descriptor: systemdFirstDescriptor)
    }

    /// Checks systemd's `LISTEN_FDS` (meant for this process): it must pass exactly one socket, the one served.
    /// Several (a socket unit with two `ListenStream=` lines) are refused: the first alone was served, and
    /// clients of the others waited unanswered, with nothing logged.
    public static func checkSystemdCount(_ text: String) throws(InheritedSocketError) {
        guard let number = Int(text), number >= 1 else {
            throw InheritedSocketError("LISTEN_FDS=\(text.debugDescription) passes no socket")
        }
        guard number == 1 else {
            throw InheritedSocketError(
                "LISTEN_FDS=\(text.debugDescription) passes \(number) sockets; one only can be served: "
                    + "give the socket unit a single Listen line")
        }
    }

    private static func variables(read names: [String]) -> [String: String] {
        var found: [String: String] = [:]
        for name in names { if let text = value(name) { found[name] = text } }
        return found
    }

    private static func value(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

    private static func markCloseOnExec(_ fd: Int32) {
        let flags = fcntl(fd, F_GETFD)
        if flags >= 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
    }
}

/// Why the variables that hand over a listening socket cannot be used.
public struct InheritedSocketError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, naming the variable.
    public let description: String

    init(_ description: String) { self.description = description }
}
