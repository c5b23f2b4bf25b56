import _MilterSystem

/// The permissions of a unix socket the server creates.
///
/// The mode is in force from the moment the socket exists (the process umask is narrowed around
/// `bind`), so there is no window in which a wider mode lets anyone connect. Owner and group are
/// set right after.
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

    /// Runs `body` with the umask that gives a new socket exactly ``mode``, then restores the umask.
    func withModeMask<T>(_ body: () async throws -> T) async rethrows -> T {
        let previous = umask(mode_t(~mode & 0o777))
        defer { umask(previous) }
        return try await body()
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
