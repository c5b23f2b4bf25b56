import MilterCapture
import MilterClient
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import _MilterSystem

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A transparent TCP proxy between MTAs and one milter that records every connection into a
/// ``RecordingFile``. Each accepted connection gets its own upstream connection on the same event
/// loop; nothing is parsed, so whatever the peers say passes unchanged.
final class RecordProxy: Sendable {
    /// Bounds of the proxy.
    struct Limits: Sendable {
        /// How long to wait for the milter to accept a connection.
        var connectTimeout: TimeAmount = .seconds(10)
        /// A connection with no traffic either way for this long is closed.
        var idleTimeout: TimeAmount = .seconds(600)
        /// Connections beyond this many at once are refused (closed at once).
        var maximumConnections = 1000
    }

    private let upstream: MilterAddress
    private let file: RecordingFile
    private let limits: Limits
    private let group: any EventLoopGroup
    private let open = NIOLockedValueBox<[ObjectIdentifier: any Channel]>([:])
    private let server: NIOLockedValueBox<(any Channel)?> = NIOLockedValueBox(nil)
    /// Client ports invented for MTAs on unix-domain sockets, so each connection is its own TCP stream.
    private let inventedPorts = NIOLockedValueBox<UInt16>(40_000)

    init(upstream: MilterAddress, file: RecordingFile, limits: Limits, group: any EventLoopGroup) {
        self.upstream = upstream
        self.file = file
        self.limits = limits
        self.group = group
    }

    /// Binds `listen`; returns the bound address.
    func start(listen: MilterAddress) async throws -> SocketAddress {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.autoRead, value: false)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { [self] child in accepted(child) }
        let channel: any Channel
        switch listen {
        case .inet(let host, let port): channel = try await bootstrap.bind(host: host, port: port).get()
        case .unix(let path):
            // Only a stale socket goes: a live server's path, a file or a link is an error.
            switch StaleSocket.clear(path: path) {
            case .absent, .removed: break
            case let finding: throw ListenPathError(path: path, finding: "\(finding)")
            }
            channel = try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: false).get()
        }
        server.withLockedValue { $0 = channel }
        return channel.localAddress!
    }

    /// Stops accepting, closes every open connection (each ends with a FIN exchange in the file) and waits for them.
    func stop() async {
        try? await server.withLockedValue { $0 }?.close()
        let channels = open.withLockedValue { Array($0.values) }
        for channel in channels {
            try? await channel.close()
            // The FIN exchange is recorded by channelInactive on the channel's loop: let it run.
            try? await channel.eventLoop.submit {}.get()
        }
    }

    private func accepted(_ child: any Channel) -> EventLoopFuture<Void> {
        let admitted = open.withLockedValue { open in
            guard open.count < limits.maximumConnections else { return false }
            open[ObjectIdentifier(child)] = child
            return true
        }
        guard admitted else { return child.close() }
        child.closeFuture.whenComplete { [self] _ in
            _ = open.withLockedValue { $0.removeValue(forKey: ObjectIdentifier(child)) }
        }
        return connectUpstream(on: child.eventLoop).flatMap { [self] milter in
            join(child, milter)
        }.flatMapError { [upstream, limits] error in
            let failure = MilterConnectError(address: upstream, connecting: error, timeout: limits.connectTimeout)
            FileDescriptorWriter.standardError("milter-replay record: \(failure)\n")
            return child.close()
        }
    }

    private func connectUpstream(on eventLoop: any EventLoop) -> EventLoopFuture<any Channel> {
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(limits.connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
        switch upstream {
        case .inet(let host, let port): return bootstrap.connect(host: host, port: port)
        case .unix(let path): return bootstrap.connect(unixDomainSocketPath: path)
        }
    }

    private func inventedPort() -> UInt16 {
        inventedPorts.withLockedValue { port in
            port = port == UInt16.max ? 40_000 : port + 1
            return port
        }
    }

    /// Joins the two channels with glue handlers, then starts reading from the MTA.
    private func join(_ mta: any Channel, _ milter: any Channel) -> EventLoopFuture<Void> {
        let session = RecordedConnection(
            file: file, client: Endpoint(socketAddress: mta.remoteAddress, fallbackPort: inventedPort()),
            server: Endpoint(socketAddress: milter.remoteAddress, fallbackPort: 7044))
        let idle = limits.idleTimeout
        return mta.eventLoop.makeCompletedFuture {
            let (mtaSide, milterSide) = ProxyGlueHandler.pair(session: session)
            try mta.pipeline.syncOperations.addHandlers(IdleStateHandler(allTimeout: idle), mtaSide)
            try milter.pipeline.syncOperations.addHandler(milterSide)
            mta.setOption(.autoRead, value: true).whenFailure { _ in mta.close(promise: nil) }
        }
    }
}

/// A unix listen path that cannot be taken: a live server listens there, or it is not a socket.
struct ListenPathError: Error, CustomStringConvertible {
    let path: String
    let finding: String
    var description: String {
        "\(path): \(finding); only a stale socket (a connect refused) is removed"
    }
}

extension Endpoint {
    /// The endpoint of a socket address; a unix-domain socket becomes 127.0.0.1 with `fallbackPort`.
    init(socketAddress: SocketAddress?, fallbackPort: UInt16) {
        switch socketAddress {
        case .v4(let address)?:
            self.init(
                address: .v4(UInt32(bigEndian: address.address.sin_addr.s_addr)),
                port: UInt16(socketAddress?.port ?? 0))
        case .v6(let address)?:
            var raw = address.address.sin6_addr
            let bytes = withUnsafeBytes(of: &raw) { Array($0) }
            let high = bytes[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let low = bytes[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            self.init(address: .v6(high, low), port: UInt16(socketAddress?.port ?? 0))
        default:
            self.init(address: .v4(0x7F00_0001), port: fallbackPort)
        }
    }
}
