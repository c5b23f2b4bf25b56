/// Why the server could not start.
public enum ServerError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Something accepts connections on the unix socket already.
    case socketInUse(path: String)
    /// The path exists and is not a socket; it is left alone.
    case notASocket(path: String)
    /// The unix socket path cannot be used: too long, a symbolic link, or a socket that may be in use.
    case unusableSocketPath(path: String, reason: String)
    /// The socket's mode could not be set.
    case cannotSetMode(path: String)
    /// The socket's owner or group could not be set, or names no user or group.
    case cannotSetOwner(path: String, reason: String)
    /// Another socket is bound to the address.
    case addressInUse(address: String)
    /// Binding failed for another reason.
    case cannotBind(address: String, reason: String)
    /// The listening socket has no address to report.
    case noLocalAddress

    /// The error in words.
    public var description: String {
        switch self {
        case .socketInUse(let path): "another process listens on \(path)"
        case .notASocket(let path): "\(path) exists and is not a socket; not removing it"
        case .unusableSocketPath(_, let reason): reason
        case .cannotSetMode(let path): "cannot set the mode of \(path)"
        case .cannotSetOwner(let path, let reason): "cannot set the owner or group of \(path): \(reason)"
        case .addressInUse(let address): "cannot listen on \(address): the address is already in use"
        case .cannotBind(let address, let reason): "cannot listen on \(address): \(reason)"
        case .noLocalAddress: "the listening socket has no address"
        }
    }
}
