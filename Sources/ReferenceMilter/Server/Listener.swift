import NIOCore

/// What accepts MTA connections for a server: NIO's server channel on a socket of our own, or the
/// ``SharedSocketAcceptor`` on an inherited socket that other processes may share.
enum Listener: Sendable {
    case channel(any Channel)
    case shared(SharedSocketAcceptor, localAddress: SocketAddress?)

    /// The bound address.
    var localAddress: SocketAddress? {
        switch self {
        case .channel(let channel): channel.localAddress
        case .shared(_, let address): address
        }
    }

    /// Completes when no more connections will be accepted.
    var closeFuture: EventLoopFuture<Void> {
        switch self {
        case .channel(let channel): channel.closeFuture
        case .shared(let acceptor, _): acceptor.closeFuture
        }
    }

    /// Stops accepting; connections already accepted are not touched.
    func stopAccepting() {
        switch self {
        case .channel(let channel): channel.close(promise: nil)
        case .shared(let acceptor, _): acceptor.stop()
        }
    }
}
