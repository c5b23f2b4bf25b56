import Foundation
import MilterTestSupport
import ReferenceMilter
import ReloadProxyKit
import Testing

/// The proxy's own unix socket: mode 0660 from the start, a symbolic link refused and kept.
@Suite struct ListenSocketTests {
    static func scratchPath(_ label: String) -> String {
        NSTemporaryDirectory() + "\(label)-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
    }

    /// Run in a child under `umask 0`: setting the umask in the test process would change it for every
    /// test running beside this one (a unit file written meanwhile came out world-writable in CI).
    @Test func theSocketIs0660WhateverTheUmask() async throws {
        let path = Self.scratchPath("proxy-mode")
        defer { unlink(path) }
        let child = try ChildProcess(
            "/bin/sh",
            [
                "-c", "umask 0 && exec \"$0\" \"$@\"", ProxyProcess.binary("reload-proxy"), "--listen", "unix:\(path)",
                "--ready-timeout", "120", ProxyProcess.binary("reference-milter"), "daemon",
            ],
            input: FileHandle.nullDevice, output: FileHandle.nullDevice, errors: FileHandle.nullDevice)
        try await child.stopping(grace: .seconds(10)) {
            let deadline = ContinuousClock.now + .seconds(60)
            var info = stat()
            while lstat(path, &info) != 0 {
                guard ContinuousClock.now < deadline, child.isRunning else {
                    Issue.record("reload-proxy did not create \(path) (running: \(child.isRunning))")
                    return
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect((info.st_mode & S_IFMT) == S_IFSOCK)
            #expect(info.st_mode & 0o7777 == 0o660)
        }
    }

    @Test func aSymbolicLinkIsRefusedAndKept() throws {
        let path = Self.scratchPath("proxy-link")
        #expect(symlink("/nonexistent-target", path) == 0)
        defer { unlink(path) }
        #expect {
            try ListenSocket.bind(.unix(path: path))
        } throws: { error in
            "\(error)".contains("is a symbolic link")
        }
        var info = stat()
        #expect(lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK)
    }

    /// systemd's variables as the daemon reads them (``InheritedSocket``), except that another process's
    /// `LISTEN_PID` is an error; several sockets are refused: the proxy hands one to its children, and the
    /// others were left unanswered without a word.
    @Test func systemdVariablesPassExactlyOneSocket() throws {
        let pid = getpid()
        #expect(try ListenSocket.systemdDescriptor([:], pid: pid) == nil)
        #expect(try ListenSocket.systemdDescriptor(["LISTEN_FDS": "1", "LISTEN_PID": "\(pid)"], pid: pid) == 3)
        for (variables, message) in [
            (
                ["LISTEN_FDS": "2", "LISTEN_PID": "\(pid)"],
                "LISTEN_FDS=\"2\" passes 2 sockets; one only can be served: give the socket unit a single Listen line"
            ),
            (["LISTEN_FDS": "0", "LISTEN_PID": "\(pid)"], "LISTEN_FDS=\"0\" passes no socket"),
            (["LISTEN_FDS": "1", "LISTEN_PID": "1"], "LISTEN_FDS is set but LISTEN_PID is not this process (\(pid))"),
        ] {
            let error = #expect(throws: ProxyError.self) { try ListenSocket.systemdDescriptor(variables, pid: pid) }
            #expect(error == .usage(message))
        }
    }
}
