#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks that an inherited descriptor is a listening stream socket before NIO is handed it: NIO
/// traps on a bad descriptor, and an operator deserves a sentence instead.
public enum ListeningSocketCheck {
    /// Why a descriptor cannot be listened on.
    public enum Problem: Error, Hashable, Sendable, CustomStringConvertible {
        /// The descriptor is not open.
        case notOpen(Int32)
        /// The descriptor is open but is not a socket.
        case notASocket(Int32)
        /// The descriptor is a socket that does not accept connections (no `listen` was called).
        case notListening(Int32)
        /// The descriptor is a socket of another type than stream (a datagram socket).
        case notAStreamSocket(Int32)

        /// The problem in words.
        public var description: String {
            switch self {
            case .notOpen(let fd): "descriptor \(fd) is not open"
            case .notASocket(let fd): "descriptor \(fd) is not a socket"
            case .notListening(let fd): "descriptor \(fd) is a socket that is not listening"
            case .notAStreamSocket(let fd): "descriptor \(fd) is not a stream socket"
            }
        }
    }

    /// Throws unless `descriptor` is an open stream socket on which `listen` was called.
    public static func validate(_ descriptor: Int32) throws(Problem) {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw .notOpen(descriptor) }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else { throw .notASocket(descriptor) }
        var type: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_TYPE, &type, &length) == 0, type == streamType else {
            throw .notAStreamSocket(descriptor)
        }
        var accepting: Int32 = 0
        length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) == 0, accepting != 0 else {
            throw .notListening(descriptor)
        }
    }
}

#if canImport(Darwin)
private let streamType = SOCK_STREAM
#else
private let streamType = Int32(SOCK_STREAM.rawValue)
#endif
