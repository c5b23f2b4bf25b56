import Testing
import _MilterSystem

/// ``ChildSpawn``, shared by the test harness, `milter-replay --start` and `reload-proxy`: the child
/// gets the descriptors it is given and no other, and the signals this process ignores at their default.
@Suite struct ChildSpawnTests {
    /// Runs `script` with `/bin/sh -c`, its standard streams on /dev/null, and returns its exit status
    /// (128 + the signal when a signal ended it), waiting up to 60 s (a guard against hangs: under the whole
    /// suite's load a shell can take seconds to start).
    func run(_ script: String, descriptors: [(target: Int32, source: ChildSpawn.Source)] = []) async throws -> Int32 {
        let null: [(target: Int32, source: ChildSpawn.Source)] = [
            (0, .file("/dev/null", flags: O_RDONLY, mode: 0)), (1, .file("/dev/null", flags: O_WRONLY, mode: 0)),
            (2, .descriptor(1)),
        ]
        let pid = try ChildSpawn.start(
            "/bin/sh", arguments: ["sh", "-c", script], environment: ["PATH=/usr/bin:/bin"],
            descriptors: null + descriptors)
        let deadline = ContinuousClock.now + .seconds(60)
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 {
            guard ContinuousClock.now < deadline else {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                Issue.record("the child did not exit within 60 s")
                return -1
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }

    #if canImport(Glibc)
    // Where `posix_spawn_file_actions_addclosefrom_np` exists (glibc 2.34 and later).
    @Test func aDescriptorNotGivenIsClosedInTheChild() async throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)  // without close-on-exec: a child would inherit both ends
        defer { for end in ends { close(end) } }
        #expect(try await run("test -e /proc/$$/fd/\(ends[1])") == 1)
        // Given as descriptor 5, it is there (and 4, given nothing, is not).
        #expect(try await run("test -e /proc/$$/fd/5", descriptors: [(5, .descriptor(ends[1]))]) == 0)
        #expect(try await run("test -e /proc/$$/fd/4", descriptors: [(5, .descriptor(ends[1]))]) == 1)
    }
    #endif

    @Test func anIgnoredSignalIsAtItsDefaultInTheChild() async throws {
        // NIO ignores SIGPIPE in this process already; a child that inherited that would survive this.
        signal(SIGPIPE, SIG_IGN)
        #expect(try await run("kill -PIPE $$; exit 0") == 128 + SIGPIPE)
    }

    @Test func aProgramThatCannotBeStartedIsAnError() {
        #expect(throws: ChildSpawn.Failure.self) {
            try ChildSpawn.start("/nonexistent/program", arguments: ["program"], environment: nil, descriptors: [])
        }
    }

    @Test func aBadDescriptorIsAnErrorNotInherited() {
        #expect {
            try ChildSpawn.start(
                "/bin/true", arguments: ["true"], environment: nil, descriptors: [(1, .descriptor(-1))])
        } throws: { error in
            (error as? ChildSpawn.Failure)?.code == EBADF
        }
    }
}
