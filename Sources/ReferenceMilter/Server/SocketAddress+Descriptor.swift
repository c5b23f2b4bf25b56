import NIOCore
import _MilterSystem

extension SocketAddress {
    /// The address a socket descriptor is bound to (`getsockname`), or nil.
    static func bound(to descriptor: Int32) -> SocketAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard status == 0 else { return nil }
        let family = Int32(storage.ss_family)
        return withUnsafeBytes(of: storage) { raw -> SocketAddress? in
            switch family {
            case AF_INET: SocketAddress(raw.load(as: sockaddr_in.self), host: "")
            case AF_INET6: SocketAddress(raw.load(as: sockaddr_in6.self), host: "")
            case AF_UNIX: SocketAddress(raw.load(as: sockaddr_un.self))
            default: nil
            }
        }
    }
}
