import Logging
import ReferenceMilter

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Drives a ``Supervisor`` with real processes: one `poll` over the signal pipe and the children's
/// readiness pipes, with the supervisor's next deadline as its timeout.
final class ProxyRunLoop {
    private var supervisor: Supervisor
    private let launcher: ChildLauncher
    private let signals: SignalPipe
    private let notifier: SystemdNotifier?
    private let logger: Logger
    private var readyPipes: [pid_t: Int32] = [:]

    init(
        supervisor: Supervisor, launcher: ChildLauncher, signals: SignalPipe, notifier: SystemdNotifier?,
        logger: Logger
    ) {
        self.supervisor = supervisor
        self.launcher = launcher
        self.signals = signals
        self.notifier = notifier
        self.logger = logger
    }

    /// Runs until the supervisor says exit; returns the exit status.
    func run() -> Int32 {
        if let status = perform(supervisor.start(at: .now)) { return status }
        while true {
            waitForEvents()
            for signal in signals.drain() {
                if let status = perform(handle(signal)) { return status }
            }
            if let status = perform(readReadiness()) { return status }
            if let status = perform(supervisor.tick(at: .now)) { return status }
        }
    }

    private func waitForEvents() {
        var descriptors = [pollfd(fd: signals.readEnd, events: Int16(POLLIN), revents: 0)]
        descriptors += readyPipes.values.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        var timeout: Int32 = -1
        if let deadline = supervisor.nextDeadline {
            let left = ContinuousClock.now.duration(to: deadline)
            let milliseconds = left.components.seconds * 1_000 + left.components.attoseconds / 1_000_000_000_000_000
            timeout = Int32(clamping: max(0, milliseconds + 1))
        }
        _ = poll(&descriptors, nfds_t(descriptors.count), timeout)
    }

    private func handle(_ signal: Int32) -> [SupervisorAction] {
        switch signal {
        case SIGHUP: return supervisor.reload(at: .now)
        case SIGTERM, SIGINT: return supervisor.stop(signal, at: .now)
        case SIGCHLD: return reap()
        default: return []
        }
    }

    private func reap() -> [SupervisorAction] {
        var actions: [SupervisorAction] = []
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            guard pid > 0 else { return actions }
            if let fd = readyPipes.removeValue(forKey: pid) { close(fd) }
            actions += supervisor.exited(pid, ChildExit(waitStatus: status), at: .now)
        }
    }

    private func readReadiness() -> [SupervisorAction] {
        var actions: [SupervisorAction] = []
        for (pid, fd) in readyPipes {
            var byte: UInt8 = 0
            let count = read(fd, &byte, 1)
            if count < 0 && (errno == EAGAIN || errno == EINTR) { continue }
            readyPipes.removeValue(forKey: pid)
            close(fd)
            // A closed pipe without the byte is no readiness: the ready deadline or the exit decides.
            if count == 1 { actions += supervisor.ready(pid, at: .now) }
        }
        return actions
    }

    /// Runs actions, and the actions they lead to; returns an exit status when one is asked for.
    private func perform(_ initial: [SupervisorAction]) -> Int32? {
        var queue = initial[...]
        while let action = queue.popFirst() {
            switch action {
            case .spawn: queue += spawn()
            case .signal(let pid, let signal): kill(pid, signal)
            case .notify(let state): notify(state)
            case .log(let level, let text): log(level, text)
            case .exit(let status): return status
            }
        }
        return nil
    }

    private func spawn() -> [SupervisorAction] {
        do {
            let child = try launcher.launch()
            _ = fcntl(child.readyPipe, F_SETFL, fcntl(child.readyPipe, F_GETFL) | O_NONBLOCK)
            readyPipes[child.pid] = child.readyPipe
            return supervisor.spawned(child.pid, at: .now)
        } catch {
            return supervisor.spawnFailed("\(error)", at: .now)
        }
    }

    private func notify(_ state: String) {
        guard let notifier else { return }
        if state == "RELOADING=1" { notifier.sendReloading() } else { notifier.send(state) }
    }

    private func log(_ level: SupervisorAction.Level, _ text: String) {
        switch level {
        case .info: logger.info("\(text)")
        case .warning: logger.warning("\(text)")
        case .error: logger.error("\(text)")
        }
    }
}
