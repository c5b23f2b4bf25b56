import NIOCore
import _MilterSystem

/// A blocking stream socket to one milter, for ``BlockingMilterConnection``: one `write` per
/// batch of frames, one `read` per wait (its timeout set with `SO_RCVTIMEO` when it changes), no
/// event loop. Used by one thread at a time;
/// its owner closes it.
struct BlockingSocket {
    let descriptor: Int32
    /// The `SO_RCVTIMEO` in force, in microseconds; 0 (the system's default) waits for ever.
    private(set) var receiveTimeout = 0

    /// Connects within `timeout` (a non-blocking connect, then a poll), then turns the socket
    /// blocking with TCP_NODELAY; throws why not, in words (`connection refused`).
    init(connectingTo address: MilterAddress, timeout: TimeAmount) throws(BlockingSocketError) {
        switch address {
        case .unix(let path):
            var storage = sockaddr_un()
            storage.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            guard bytes.count < MemoryLayout.size(ofValue: storage.sun_path) else {
                throw BlockingSocketError("socket path too long")
            }
            withUnsafeMutableBytes(of: &storage.sun_path) { $0.copyBytes(from: bytes) }
            descriptor = try withUnsafeBytes(of: &storage) { raw throws(BlockingSocketError) in
                try Self.open(
                    family: AF_UNIX, address: raw.baseAddress!.assumingMemoryBound(to: sockaddr.self),
                    length: socklen_t(MemoryLayout<sockaddr_un>.size), timeout: timeout)
            }
        case .inet(let host, let port): descriptor = try Self.open(host: host, port: port, timeout: timeout)
        }
    }

    #if canImport(Glibc)
    private static let streamType = Int32(SOCK_STREAM.rawValue)
    #else
    private static let streamType = SOCK_STREAM
    #endif

    /// Tries each address of `host` in turn; the first that connects, with TCP_NODELAY. An IPv4
    /// or IPv6 literal connects without the resolver: no `getaddrinfo` for every connection of a run.
    private static func open(host: String, port: Int, timeout: TimeAmount) throws(BlockingSocketError) -> Int32 {
        var v4 = sockaddr_in()
        if inet_pton(AF_INET, host, &v4.sin_addr) == 1 {
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
            return try noDelay(open(literal: &v4, family: AF_INET, timeout: timeout))
        }
        var v6 = sockaddr_in6()
        if inet_pton(AF_INET6, host, &v6.sin6_addr) == 1 {
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
            return try noDelay(open(literal: &v6, family: AF_INET6, timeout: timeout))
        }
        var hints = addrinfo()
        hints.ai_flags = AI_NUMERICSERV
        hints.ai_socktype = streamType
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, "\(port)", &hints, &list)
        guard status == 0, let first = list else {
            throw BlockingSocketError("cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var entry: UnsafeMutablePointer<addrinfo>? = first
        var failure = BlockingSocketError("no address for \(host)")
        while let current = entry {
            do {
                return try noDelay(
                    open(
                        family: current.pointee.ai_family, address: current.pointee.ai_addr,
                        length: current.pointee.ai_addrlen, timeout: timeout))
            } catch {
                failure = error
            }
            entry = current.pointee.ai_next
        }
        throw failure
    }

    /// Connects to a `sockaddr_in` or `sockaddr_in6`.
    private static func open<Address>(
        literal address: inout Address, family: Int32, timeout: TimeAmount
    ) throws(BlockingSocketError) -> Int32 {
        try withUnsafeBytes(of: &address) { raw throws(BlockingSocketError) in
            try open(
                family: family, address: raw.baseAddress!.assumingMemoryBound(to: sockaddr.self),
                length: socklen_t(MemoryLayout<Address>.size), timeout: timeout)
        }
    }

    /// `fd` with TCP_NODELAY set.
    private static func noDelay(_ fd: Int32) -> Int32 {
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        return fd
    }

    #if canImport(Darwin)
    static let noSignal: Int32 = 0
    #else
    static let noSignal = Int32(MSG_NOSIGNAL)
    #endif

    private static func open(
        family: Int32, address: UnsafePointer<sockaddr>, length: socklen_t, timeout: TimeAmount
    ) throws(BlockingSocketError) -> Int32 {
        #if canImport(Glibc)
        // Linux bounds a blocking connect by SO_SNDTIMEO (EINPROGRESS for TCP, EAGAIN for a Unix
        // socket whose backlog stays full): one setsockopt instead of a poll, SO_ERROR and the
        // flags set back after a non-blocking connect, two system calls per connection fewer.
        // Writes do not wait on it (they are MSG_DONTWAIT, then a poll).
        let fd = socket(family, streamType | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw BlockingSocketError(errno: errno) }
        let microseconds = max(1, (timeout.nanoseconds + 999) / 1000)
        var limit = timeval(tv_sec: Int(microseconds / 1_000_000), tv_usec: .init(microseconds % 1_000_000))
        guard setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size)) == 0 else {
            let code = errno
            SystemCall.close(fd)
            throw BlockingSocketError(errno: code)
        }
        if connect(fd, address, length) == 0 { return fd }
        var code = errno
        if code == EINPROGRESS || code == EAGAIN {
            SystemCall.close(fd)
            throw timedOut(timeout)
        }
        // Interrupted: the connection goes on in the background; wait for it as a non-blocking one.
        if code == EINTR { code = try finishConnect(fd, timeout: timeout) }
        guard code == 0 else {
            SystemCall.close(fd)
            throw BlockingSocketError(errno: code)
        }
        return fd
        #else
        let fd = socket(family, streamType, 0)
        guard fd >= 0 else { throw BlockingSocketError(errno: errno) }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        #if canImport(Darwin)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        var code: Int32 = 0
        if connect(fd, address, length) != 0 {
            code = errno
            if code == EINPROGRESS { code = try finishConnect(fd, timeout: timeout) }
        }
        guard code == 0 else {
            SystemCall.close(fd)
            throw BlockingSocketError(errno: code)
        }
        _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK)
        return fd
        #endif
    }

    /// Waits at most `timeout` for the connect under way on `fd`: its outcome, 0 or an `errno`;
    /// closes `fd` and throws if the time runs out.
    private static func finishConnect(_ fd: Int32, timeout: TimeAmount) throws(BlockingSocketError) -> Int32 {
        var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        let ready = poll(&entry, 1, milliseconds(timeout))
        if ready == 0 {
            SystemCall.close(fd)
            throw timedOut(timeout)
        }
        var code: Int32 = ready < 0 ? errno : 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        if ready > 0 { getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length) }
        return code
    }

    private static func timedOut(_ timeout: TimeAmount) -> BlockingSocketError {
        BlockingSocketError("no answer within \(seconds(timeout)) s (connect timed out)")
    }

    /// Writes every byte of `bytes` within `timeout`; the error in words if the socket refused
    /// them, or if the milter read nothing for `timeout` while bytes were left to send (a milter
    /// that stops reading must not hold the thread: the send does not block, a `poll` waits).
    /// `waited` says whether the socket refused bytes at first (the write then waited for room).
    func write(_ bytes: ByteBuffer, timeout: TimeAmount) -> (failure: String?, waited: Bool) {
        bytes.withUnsafeReadableBytes { raw in
            sendAll(raw.count, timeout: timeout) { offset in
                send(
                    descriptor, raw.baseAddress! + offset, raw.count - offset, Self.noSignal | Int32(MSG_DONTWAIT))
            }
        }
    }

    /// Sends `count` bytes within `timeout` (see ``write(_:timeout:)``): `attempt` sends what is
    /// left after the first `offset` bytes, without waiting, and returns the system call's result.
    func sendAll(
        _ count: Int, timeout: TimeAmount, _ attempt: (_ offset: Int) -> Int
    ) -> (failure: String?, waited: Bool) {
        // The clock is read when the socket first refuses bytes, not for every write (most take
        // all at once): the timeout counts from the first refusal.
        var deadline: NIODeadline?
        var offset = 0
        while offset < count {
            let sent = attempt(offset)
            if sent >= 0 {
                offset += sent
                continue
            }
            let code = errno
            if code == EINTR { continue }
            guard code == EAGAIN || code == EWOULDBLOCK else { return (SystemCall.errorText(code), deadline != nil) }
            let now = NIODeadline.now()
            if deadline == nil { deadline = now + timeout }
            let left = deadline! - now
            var entry = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
            let ready = left > .zero ? poll(&entry, 1, Self.milliseconds(left)) : 0
            if ready < 0, errno != EINTR { return (SystemCall.errorText(errno), true) }
            if ready == 0 {
                return (
                    "write timed out: the milter read nothing for \(Self.seconds(timeout)) s"
                        + " with \(count - offset) bytes left to send", true
                )
            }
        }
        return (nil, deadline != nil)
    }

    /// What one wait for bytes came to.
    enum ReadResult {
        case bytes(Int)
        case endOfFile
        case timeout
        case failure(String)
    }

    /// Waits at most `timeout` for bytes and reads what is there into `buffer`'s spare room.
    ///
    /// The wait is an `SO_RCVTIMEO` in whole milliseconds (rounded up), so that the option is set
    /// again only when the timeout in force changes, not for the microseconds a deadline moves on
    /// between two waits. A longer wait keeps a shorter timeout in force, up to ``longestStretch``
    /// times it, and waits again for what is left each time it runs out: Postfix's command and
    /// content timeouts (30 s and 300 s) alternate within every message, and each change was a
    /// `setsockopt`. A shorter wait always sets its own, so that no wait lasts longer than asked.
    ///
    /// `deadline` ends the wait when a first `recv` of `timeout` runs out without bytes (the
    /// caller's clock reading, so that a wait answered at once reads no clock at all).
    mutating func read(into buffer: inout ReceiveBuffer, timeout: TimeAmount, deadline: NIODeadline) -> ReadResult {
        var wanted = Self.wholeMilliseconds(timeout)
        guard wanted > 0 else { return readNow(into: &buffer) }
        while true {
            let keeps = receiveTimeout > 0 && receiveTimeout <= wanted && wanted <= receiveTimeout * Self.longestStretch
            if !keeps {
                var value = timeval(tv_sec: Int(wanted / 1_000_000), tv_usec: .init(wanted % 1_000_000))
                guard
                    setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size)) == 0
                else { return .failure(SystemCall.errorText(errno)) }
                receiveTimeout = wanted
            }
            let result = receive(into: &buffer, flags: 0)
            guard case .timeout = result else { return result }
            wanted = Self.wholeMilliseconds(deadline - .now())
            guard wanted > 0 else { return .timeout }
        }
    }

    /// How many times the `SO_RCVTIMEO` in force a wait may be and still keep it (see ``read(into:timeout:)``).
    static let longestStretch = 16

    /// `amount` in whole milliseconds, rounded up, as microseconds; 0 when nothing is left.
    private static func wholeMilliseconds(_ amount: TimeAmount) -> Int {
        Int(max(0, (amount.nanoseconds + 999_999) / 1_000_000) * 1000)
    }

    /// Reads what is there into `buffer`'s spare room without waiting: ``ReadResult/timeout`` when
    /// nothing is.
    func readNow(into buffer: inout ReceiveBuffer) -> ReadResult {
        receive(into: &buffer, flags: Int32(MSG_DONTWAIT))
    }

    private func receive(into buffer: inout ReceiveBuffer, flags: Int32) -> ReadResult {
        while true {
            var code: Int32 = 0
            let count = buffer.write(minimumWritableBytes: 16_384) { raw in
                let count = recv(descriptor, raw.baseAddress, raw.count, flags)
                if count < 0 { code = errno }
                return count
            }
            if count > 0 { return .bytes(count) }
            if count == 0 { return .endOfFile }
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return .timeout }
            return .failure(SystemCall.errorText(code))
        }
    }

    /// Closes the socket.
    func close() { SystemCall.close(descriptor) }

    private static func milliseconds(_ amount: TimeAmount) -> Int32 {
        let value = (amount.nanoseconds + 999_999) / 1_000_000
        return Int32(clamping: max(0, value))
    }

    private static func seconds(_ amount: TimeAmount) -> String {
        let milliseconds = amount.nanoseconds / 1_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000)" : "\(Double(milliseconds) / 1000)"
    }
}

/// Why a blocking socket could not connect, in words, and the `errno` when a system call failed.
struct BlockingSocketError: Error {
    let reason: String
    /// The failed system call's `errno`; `nil` for a timeout or a host name that does not resolve.
    let errnoCode: Int32?

    init(_ reason: String) {
        self.reason = reason
        errnoCode = nil
    }

    /// The system's text for `errno`, lowercased at the start: `connection refused`.
    init(errno code: Int32) {
        reason = SystemCall.lowercasedErrorText(code)
        errnoCode = code
    }
}
