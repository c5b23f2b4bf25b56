import _MilterSystem

/// The permissions of a unix socket the server creates.
///
/// The socket is never more open than ``mode`` from the moment it exists: its descriptor gets the
/// mode (`fchmod`) before `bind`, and Linux creates the file with that mode less the umask; the
/// exact mode, owner and group are set right after. The process umask is never touched (it is
/// shared by every thread, and a library must not change it under them).
public struct UnixSocketOptions: Hashable, Sendable {
    /// The permission bits; the default 0660 lets the owner and the group (the MTA's) connect.
    public var mode: UInt16
    /// A user name or number to own the socket; `nil` keeps the process's.
    public var owner: String?
    /// A group name or number for the socket; `nil` keeps the process's.
    public var group: String?

    /// Creates options.
    public init(mode: UInt16 = 0o660, owner: String? = nil, group: String? = nil) {
        self.mode = mode & 0o777
        self.owner = owner
        self.group = group
    }

    /// A listening unix stream socket at `path`, created with ``mode`` (less the umask) from the start.
    func listeningSocket(at path: String, backlog: Int32 = 256) throws(ServerError) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw .unusableSocketPath(path: path, reason: "socket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        #if canImport(Darwin)
        let fd = socket(AF_UNIX, SOCK_STREAM, 0)
        #else
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #endif
        guard fd >= 0 else { throw .cannotBind(address: "unix:\(path)", reason: String(cString: strerror(errno))) }
        _ = fchmod(fd, mode_t(mode))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0, listen(fd, backlog) == 0 else {
            let code = errno
            close(fd)
            if bound == 0 { unlink(path) }
            if code == EADDRINUSE { throw .socketInUse(path: path) }
            throw .cannotBind(address: "unix:\(path)", reason: String(cString: strerror(code)))
        }
        return fd
    }

    /// Sets the mode again (harmless) and the owner and group of the socket at `path`.
    func apply(to path: String) throws(ServerError) {
        guard chmod(path, mode_t(mode)) == 0 else { throw .cannotSetMode(path: path) }
        guard owner != nil || group != nil else { return }
        let uid = try owner.map { (name) throws(ServerError) in try Self.userID(name, path: path) } ?? uid_t.max
        let gid = try group.map { (name) throws(ServerError) in try Self.groupID(name, path: path) } ?? gid_t.max
        guard lchown(path, uid, gid) == 0 else {
            throw .cannotSetOwner(path: path, reason: String(cString: strerror(errno)))
        }
    }

    /// Resolves the owner and group now, so that a bad name fails before anything is bound.
    func validate(path: String) throws(ServerError) {
        if let owner { _ = try Self.userID(owner, path: path) }
        if let group { _ = try Self.groupID(group, path: path) }
    }

    private static func userID(_ name: String, path: String) throws(ServerError) -> uid_t {
        if let number = uid_t(name) { return number }
        guard let entry = getpwnam(name) else { throw .cannotSetOwner(path: path, reason: "no user \(name)") }
        return entry.pointee.pw_uid
    }

    private static func groupID(_ name: String, path: String) throws(ServerError) -> gid_t {
        if let number = gid_t(name) { return number }
        guard let entry = getgrnam(name) else { throw .cannotSetOwner(path: path, reason: "no group \(name)") }
        return entry.pointee.gr_gid
    }
}
