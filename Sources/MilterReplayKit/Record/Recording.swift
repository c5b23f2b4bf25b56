import MilterClient
import NIOCore
import NIOPosix
import _MilterSystem

/// `milter-replay record`: a transparent proxy that records every milter connection through it as pcapng, until
/// SIGINT or SIGTERM.
public struct Recording: Sendable {
    /// Where the MTA connects (port 0: a free port).
    public var listen: MilterAddress
    /// The listening address as the user wrote it, for messages.
    public var listenText: String
    /// The milter.
    public var upstream: MilterAddress
    /// The pcapng file written (replaced if it exists).
    public var path: String
    /// Seconds to wait for the milter to accept a connection.
    public var connectTimeout: Double
    /// Seconds without traffic after which a connection is closed.
    public var idleTimeout: Double
    /// Connections proxied at once; more are refused.
    public var maximumConnections: Int
    /// Bytes of capture waiting for the disk at most (``defaultMaximumQueuedBytes``, within
    /// ``maximumQueuedBytesRange``); past it new blocks are dropped, counted and said, not queued.
    public var maximumQueuedBytes: Int

    /// The default of ``maximumQueuedBytes``: 16 MiB.
    public static let defaultMaximumQueuedBytes = 16 << 20
    /// The values ``maximumQueuedBytes`` may take: 1 MiB (a relayed chunk's blocks always fit) to 1 GiB (the queue
    /// is memory).
    public static let maximumQueuedBytesRange = (1 << 20)...(1 << 30)

    /// A recording of connections from `listen` to `upstream` into `path`.
    public init(
        listen: MilterAddress, listenText: String, upstream: MilterAddress, path: String,
        connectTimeout: Double = 10, idleTimeout: Double = 600, maximumConnections: Int = 1000,
        maximumQueuedBytes: Int = defaultMaximumQueuedBytes
    ) {
        self.listen = listen
        self.listenText = listenText
        self.upstream = upstream
        self.path = path
        self.connectTimeout = connectTimeout
        self.idleTimeout = idleTimeout
        self.maximumConnections = maximumConnections
        self.maximumQueuedBytes = maximumQueuedBytes
    }

    /// Records until a signal; returns the exit code: 0, or 1 when the file could not be written. A file that
    /// cannot be created or an address that cannot be bound is a usage error.
    public func run() async throws(EarlyExit) -> Int32 {
        let file: RecordingFile
        guard Self.maximumQueuedBytesRange.contains(maximumQueuedBytes) else {
            throw EarlyExit.usage(
                "the capture queue must be from \(Self.maximumQueuedBytesRange.lowerBound) to "
                    + "\(Self.maximumQueuedBytesRange.upperBound) bytes; got \(maximumQueuedBytes)")
        }
        do {
            file = try RecordingFile(path: path, limits: RecordingFile.Limits(maximumQueuedBytes: maximumQueuedBytes))
        } catch { throw EarlyExit.usage("\(error)") }
        let limits = RecordProxy.Limits(
            connectTimeout: .nanoseconds(Int64(connectTimeout * 1e9)),
            idleTimeout: .nanoseconds(Int64(idleTimeout * 1e9)),
            maximumConnections: maximumConnections)
        let proxy = RecordProxy(
            upstream: upstream, file: file, limits: limits, group: MultiThreadedEventLoopGroup.singleton)
        let bound: SocketAddress
        do { bound = try await proxy.start(listen: listen) } catch {
            file.abandon()
            let reason =
                if let error = error as? SocketAddressError.UnknownHost {
                    "cannot resolve \(error.host): \(error.errorDescription)"
                } else {
                    (error as? IOError).map { SystemCall.bindFailureText($0.errnoCode) } ?? "\(error)"
                }
            throw EarlyExit.usage("cannot listen on \(listenText): \(reason)")
        }
        file.begin()
        say("recording: listening on \(bound.describedForHumans), relaying to \(upstream), writing \(path)")
        let signal = await SignalWaiter.wait()
        await proxy.stop()
        let summary = await file.finish()
        var line =
            "recording: signal \(signal): wrote \(summary.connections) connections, \(summary.bytes) bytes to \(path)"
        if summary.dropped.blocks > 0 {
            line +=
                "; \(summary.dropped.blocks) blocks (\(summary.dropped.bytes) bytes) dropped, not recorded: "
                + "the file was written slower than the mail came, or they came after the stop began"
        }
        say(line)
        if let error = summary.error {
            FileDescriptorWriter.standardError("milter-replay: writing \(path) failed: \(error)\n")
            return ExitCodes.usage
        }
        return ExitCodes.success
    }

    /// A line on standard output, unbuffered: a test or a script waits for it.
    private func say(_ line: String) { FileDescriptorWriter.standardOutput(line + "\n") }
}

extension SocketAddress {
    /// `127.0.0.1:7044`, `[::1]:7044` or `unix:/path`.
    var describedForHumans: String {
        switch self {
        case .unixDomainSocket: "unix:\(pathname ?? "")"
        case .v6: "[\(ipAddress ?? "")]:\(port ?? 0)"
        case .v4: "\(ipAddress ?? ""):\(port ?? 0)"
        }
    }
}
