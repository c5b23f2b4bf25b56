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
        let pid: pid_t
        do {
            pid = try ChildSpawn.start(
                "/bin/sh", arguments: ["/bin/sh", "-c", "exec " + command], environment: nil,
                descriptors: [
                    (0, .file("/dev/null", flags: O_RDONLY, mode: 0)),
                    (1, .file(outputPath, flags: O_WRONLY | O_TRUNC, mode: 0o600)), (2, .descriptor(1)),
                ])
        } catch {
            unlink(outputPath)
            throw LaunchError("cannot start /bin/sh: \(error)")
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
