#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `sd_notify` without libsystemd: one datagram per state change to the unix socket named by
/// `NOTIFY_SOCKET` (a path, or an abstract name written with a leading `@`).
///
/// ```swift
/// SystemdNotifier.fromEnvironment()?.send("READY=1")
/// ```
public struct SystemdNotifier: Sendable, Hashable {
    /// The socket address as systemd wrote it.
    public let socketName: String

    /// A notifier for `socketName` (`/run/systemd/notify` or `@abstract`).
    public init(socketName: String) {
        self.socketName = socketName
    }

    /// The notifier systemd asked for, if `NOTIFY_SOCKET` is set.
    public static func fromEnvironment() -> SystemdNotifier? {
        guard let value = getenv("NOTIFY_SOCKET").map({ String(cString: $0) }), !value.isEmpty else { return nil }
        return SystemdNotifier(socketName: value)
    }

    /// Sends `state` (e.g. `READY=1`, or several `KEY=value` lines); returns whether it was delivered.
    ///
    /// Never waits: a receiver whose queue is full (one that does not read, when `NOTIFY_SOCKET` names someone
    /// else's socket) loses the notification. A blocking send waited for ever there, once the kernel's queue of
    /// datagrams (`net.unix.max_dgram_qlen`, 10 by default) was full: after five reloads the daemon's next one, and
    /// its SIGTERM, hung.
    @discardableResult
    public func send(_ state: String) -> Bool {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var path = Array(socketName.utf8)
        if path.first == UInt8(ascii: "@") { path[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard !path.isEmpty, path.count < capacity else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path) }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + path.count)
        #if canImport(Darwin)
        let fd = socket(AF_UNIX, SOCK_DGRAM, 0)
        #else
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #endif
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let bytes = Array(state.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bytes.withUnsafeBytes {
                    sendto(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT), socketAddress, length)
                }
            }
        }
        return sent == bytes.count
    }

    /// `RELOADING=1` with the `MONOTONIC_USEC` that systemd 253 and later require for `Type=notify-reload`.
    public func sendReloading() {
        send("RELOADING=1\nMONOTONIC_USEC=\(Self.monotonicMicroseconds())")
    }

    /// `CLOCK_MONOTONIC` in microseconds, the clock systemd compares against.
    public static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
    }
}
