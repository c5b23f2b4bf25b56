/// The process's file descriptor limit, and whether enough descriptors are left to start event loops: SwiftNIO
/// ends the process (a fatal error) when an event loop it starts cannot get its descriptors, where a command
/// should say so and exit.
package enum DescriptorHeadroom {
    /// The descriptors one SwiftNIO event loop opens when it starts (on Linux `epoll`, an `eventfd` and a
    /// `timerfd`; on Darwin fewer).
    package static let perEventLoop = 3

    /// Raises the soft `RLIMIT_NOFILE` to the hard limit (on macOS at most `OPEN_MAX`); returns the soft limit now
    /// in force.
    @discardableResult
    package static func raiseSoftToHard() -> Int {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return softLimit }
        var wanted = limit.rlim_max
        #if canImport(Darwin)
        wanted = min(wanted, rlim_t(OPEN_MAX))
        #endif
        if wanted > limit.rlim_cur {
            var raised = limit
            raised.rlim_cur = wanted
            _ = setrlimit(resource, &raised)
        }
        return softLimit
    }

    /// The soft descriptor limit in force (1,024 if it cannot be read).
    package static var softLimit: Int {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return 1_024 }
        return limit.rlim_cur >= rlim_t(Int.max) ? .max : Int(limit.rlim_cur)
    }

    /// How many more descriptors, up to `count`, the process can open now: found by opening them (`/dev/null`,
    /// close-on-exec) and closing them again.
    package static func available(upTo count: Int) -> Int {
        var opened: [Int32] = []
        opened.reserveCapacity(max(0, count))
        defer { for descriptor in opened { SystemCall.close(descriptor) } }
        while opened.count < count {
            let descriptor = open("/dev/null", O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { break }
            opened.append(descriptor)
        }
        return opened.count
    }

    /// Descriptors kept beside the event loops' for the runtime's own, which it opens as it goes, from other
    /// threads: libdispatch's event manager (`epoll`, an `eventfd`) and a `timerfd` per clock its timers use.
    package static let runtimeReserve = 8

    /// Why `eventLoops` SwiftNIO event loops cannot start now for want of descriptors (with
    /// ``runtimeReserve`` more), in words for the command's user; `nil` when they can.
    package static func eventLoopShortfall(_ eventLoops: Int) -> String? {
        guard eventLoops > 0 else { return nil }
        let needed = eventLoops * perEventLoop + runtimeReserve
        let free = available(upTo: needed)
        guard free < needed else { return nil }
        let loops = eventLoops == 1 ? "1 event loop" : "\(eventLoops) event loops"
        return "too few file descriptors to start \(loops): they need \(eventLoops * perEventLoop) and the runtime"
            + " \(runtimeReserve) more, and only \(free) can be opened (the limit is \(softLimit)); raise it"
            + " (ulimit -n, or LimitNOFILE= in a systemd unit)"
    }

    #if canImport(Darwin)
    private static let resource = RLIMIT_NOFILE
    #else
    private static let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #endif
}
