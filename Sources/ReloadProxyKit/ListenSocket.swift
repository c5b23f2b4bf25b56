import ReferenceMilter
import _MilterSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

#if canImport(Darwin)
private let systemBind = Darwin.bind
private let streamType = SOCK_STREAM
#else
private let systemBind = Glibc.bind
private let streamType = Int32(SOCK_STREAM.rawValue)
#endif

/// The listening socket the proxy hands to every child: systemd's, or one it binds itself.
public enum ListenSocket {
    /// systemd's socket when `LISTEN_FDS` is set (`LISTEN_PID` must be this process, one socket only), `activated`;
    /// else `address` bound here. The variables are removed from the environment.
    public static func obtain(
        _ address: ListenAddress?
    ) throws(ProxyError) -> (descriptor: Int32, activated: Bool) {
        if let fd = try systemdSocket() { return (fd, true) }
        guard let address else {
            throw .usage("no socket: run under systemd socket activation (LISTEN_FDS) or give --listen")
        }
        return (try bind(address), false)
    }

    /// The warning for a `--listen` given beside systemd's socket, naming the socket served. Not a usage error, as
    /// for the daemon's ADDRESS: the socket unit decides where the service listens, and one `ExecStart=` line with
    /// `--listen` then serves with the socket unit and without it; silently unused, it let the operator believe
    /// the proxy listened there.
    public static func unusedListen(_ listen: String, servedDescriptor descriptor: Int32) -> String {
        "--listen \(listen) is not used: serving the socket passed by systemd socket activation (LISTEN_FDS, "
            + "fd \(descriptor); its socket unit's Listen line sets it) instead"
    }

    /// systemd's socket, or `nil` when `LISTEN_FDS` is not set.
    static func systemdSocket() throws(ProxyError) -> Int32? {
        let variables = ["LISTEN_FDS", "LISTEN_PID"].reduce(into: [String: String]()) { $0[$1] = environment($1) }
        guard let fd = try systemdDescriptor(variables, pid: getpid()) else { return nil }
        for name in ["LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"] { unsetenv(name) }
        return try checked(fd)
    }

    /// The descriptor systemd's variables pass to the process `pid`, not checked yet; `nil` when `LISTEN_FDS` is
    /// not set. `LISTEN_PID` must be `pid`, and exactly one socket must be passed: the proxy hands one to its
    /// children, and the clients of any other would wait unanswered (``InheritedSocket/checkSystemdCount(_:)``).
    package static func systemdDescriptor(_ variables: [String: String], pid: Int32) throws(ProxyError) -> Int32? {
        guard let count = variables["LISTEN_FDS"] else { return nil }
        guard let owner = variables["LISTEN_PID"].flatMap({ Int32($0) }), owner == pid else {
            throw .usage("LISTEN_FDS is set but LISTEN_PID is not this process (\(pid))")
        }
        do { try InheritedSocket.checkSystemdCount(count) } catch { throw .usage(error.description) }
        return InheritedSocket.systemdFirstDescriptor
    }

    /// Binds and listens on `address`.
    public static func bind(_ address: ListenAddress) throws(ProxyError) -> Int32 {
        switch address {
        case .inherited(let fd): return try checked(fd)
        case .tcp(let host, let port): return try bindTCP(host: host, port: port)
        case .unix(let path): return try bindUnix(path)
        }
    }

    private static func checked(_ fd: Int32) throws(ProxyError) -> Int32 {
        do {
            try ListeningSocketCheck.validate(fd)
        } catch {
            throw .usage("cannot listen on the inherited socket: \(error)")
        }
        return fd
    }

    private static func bindTCP(host: String, port: Int) throws(ProxyError) -> Int32 {
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        hints.ai_socktype = streamType
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, "\(port)", &hints, &list)
        guard status == 0, let first = list else {
            throw .usage("cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        let fd = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard fd >= 0 else { throw .system("socket", errno) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard systemBind(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
            let code = errno
            close(fd)
            throw .system("bind \(host):\(port)", code)
        }
        return try listening(fd)
    }

    private static func bindUnix(_ path: String) throws(ProxyError) -> Int32 {
        if let problem = StaleSocket.clear(path: path).problem(path: path) { throw .usage(problem) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw .usage("socket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let fd = socket(AF_UNIX, streamType, 0)
        guard fd >= 0 else { throw .system("socket", errno) }
        // Never more open than 0660 from the moment the socket exists: the descriptor's mode (less the
        // umask) becomes the file's on Linux; chmod then sets it exactly. The process umask is left alone.
        _ = fchmod(fd, 0o660)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                systemBind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0, chmod(path, 0o660) == 0 else {
            let code = errno
            close(fd)
            throw .system("bind \(path)", code)
        }
        return try listening(fd)
    }

    private static func listening(_ fd: Int32) throws(ProxyError) -> Int32 {
        guard listen(fd, 256) == 0 else {
            let code = errno
            close(fd)
            throw .system("listen", code)
        }
        return fd
    }

    private static func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
}
