import _MilterSystem

/// A milter process started by `--start`: `/bin/sh -c "exec CMD ARGS"`, its output (standard output and error)
/// in a temporary file so that a failure can show its end, stopped with SIGTERM then SIGKILL.
final class ChildMilter: Sendable {
    let pid: pid_t
    /// The file that receives the milter's standard output and error.
    let outputPath: String

    private init(pid: pid_t, outputPath: String) {
        self.pid = pid
        self.outputPath = outputPath
    }

    /// Spawns `command` through the shell; throws the reason in words when it cannot be spawned.
    static func spawn(_ command: String) throws(LaunchError) -> ChildMilter {
        var template = Array("/tmp/milter-replay-start-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw LaunchError("cannot create its output file: \(SystemCall.errorText(errno))")
        }
        SystemCall.close(descriptor)
        let outputPath = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let arguments = ["/bin/sh", "-c", "exec " + command]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        // The child starts with no signal blocked and every signal at its default: this process's threads may
        // block some, and NIO ignores SIGPIPE; both would survive the exec and make SIGTERM do nothing.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var signals = sigset_t()
        sigemptyset(&signals)
        posix_spawnattr_setsigmask(&attributes, &signals)
        sigfillset(&signals)
        posix_spawnattr_setsigdefault(&attributes, &signals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let status = posix_spawn(&pid, "/bin/sh", &actions, &attributes, &argv, environ)
        guard status == 0 else {
            unlink(outputPath)
            throw LaunchError("cannot start /bin/sh: \(SystemCall.errorText(status))")
        }
        return ChildMilter(pid: pid, outputPath: outputPath)
    }

    /// The exit status (or 128 + signal) if the process has ended; reaps it.
    func exitStatus() -> Int32? {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        guard result == pid else { return result < 0 ? -1 : nil }
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }

    /// The last `count` bytes of what the milter wrote, as text.
    func outputTail(_ count: Int = 2000) -> String {
        let descriptor = open(outputPath, O_RDONLY)
        guard descriptor >= 0 else { return "" }
        defer { SystemCall.close(descriptor) }
        let size = lseek(descriptor, 0, SEEK_END)
        lseek(descriptor, max(0, size - off_t(count)), SEEK_SET)
        var bytes = [UInt8](repeating: 0, count: count)
        let read = bytes.withUnsafeMutableBytes { SystemCall.read(descriptor, into: $0) }
        return String(decoding: bytes.prefix(max(0, read)), as: UTF8.self)
    }

    /// SIGTERM, up to `grace` for it to exit, then SIGKILL; reaps it and removes the output file.
    func stop(grace: Duration) async {
        defer { unlink(outputPath) }
        if exitStatus() != nil { return }
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + grace
        while ContinuousClock.now < deadline {
            if exitStatus() != nil { return }
            try? await Task.sleep(for: .milliseconds(20))
        }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
    }
}

/// Why `--start` failed, in words.
struct LaunchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
