import ReferenceMilter
import _MilterSystem

/// A started child: its pid and the read end of its readiness pipe.
struct LaunchedChild {
    let pid: pid_t
    let readyPipe: Int32
}

/// Starts daemon children with `posix_spawn`: the listening socket as fd 3 (`MILTER_LISTEN_FD=3`),
/// the write end of a readiness pipe as fd 4 (`MILTER_READY_FD=4`), no other descriptor of the proxy,
/// default signal handling (``ChildSpawn``), the proxy's pid (`MILTER_PROXY_PID`, so that the daemon gets SIGTERM
/// when the proxy dies, ``ProxyParent``), and the proxy's environment without systemd's variables (they name the
/// proxy, not the child).
struct ChildLauncher {
    /// The program and its arguments; the program is looked up in `PATH`.
    let command: [String]
    /// The listening socket, kept close-on-exec above the standard descriptors.
    let listenSocket: Int32

    static let childListenDescriptor: Int32 = 3
    static let childReadyDescriptor: Int32 = 4
    private static let dropped: Set<String> = [
        "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "NOTIFY_SOCKET", "MILTER_LISTEN_FD", ReadinessPipe.variable,
        ProxyParent.variable,
    ]

    /// Takes `socket` and moves it above fd 10 (close-on-exec), so that the dups to 3 and 4 never clobber it.
    init(command: [String], socket: Int32) throws(ProxyError) {
        self.command = command
        listenSocket = try Self.moveHigh(socket)
    }

    func launch() throws(ProxyError) -> LaunchedChild {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw .system("pipe", errno) }
        let readEnd: Int32
        do { readEnd = try Self.moveHigh(ends[0]) } catch {
            close(ends[1])
            throw error
        }
        let writeEnd: Int32
        do { writeEnd = try Self.moveHigh(ends[1]) } catch {
            close(readEnd)
            throw error
        }
        defer { close(writeEnd) }
        do {
            return LaunchedChild(pid: try spawn(readyWriteEnd: writeEnd), readyPipe: readEnd)
        } catch {
            close(readEnd)
            throw error
        }
    }

    private func spawn(readyWriteEnd: Int32) throws(ProxyError) -> pid_t {
        do {
            return try ChildSpawn.start(
                command[0], arguments: command, searchPath: true, environment: Self.childEnvironment(),
                descriptors: [
                    (Self.childListenDescriptor, .descriptor(listenSocket)),
                    (Self.childReadyDescriptor, .descriptor(readyWriteEnd)),
                ])
        } catch {
            throw .system("cannot start \(command[0])", error.code)
        }
    }

    static func childEnvironment() -> [String] {
        var result: [String] = []
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            let name = String(text.prefix { $0 != "=" })
            if !dropped.contains(name) { result.append(text) }
            entry += 1
        }
        return result + [
            "MILTER_LISTEN_FD=\(childListenDescriptor)", "\(ReadinessPipe.variable)=\(childReadyDescriptor)",
            // The daemon follows the proxy into death (``ProxyParent``); spawned from the main thread (the run loop),
            // which lives as long as the proxy, since the parent-death signal follows the spawning thread.
            "\(ProxyParent.variable)=\(getpid())",
        ]
    }

    /// `fd` moved above 10, close-on-exec; `fd` is closed either way (no leak when out of descriptors).
    private static func moveHigh(_ fd: Int32) throws(ProxyError) -> Int32 {
        let high = fcntl(fd, F_DUPFD_CLOEXEC, 10)
        let failure = errno
        close(fd)
        guard high >= 0 else { throw .system("fcntl", failure) }
        return high
    }

    /// Closes the listening socket: the proxy exits, and a unix socket's path can then be seen to be stale.
    func closeListenSocket() { close(listenSocket) }
}
