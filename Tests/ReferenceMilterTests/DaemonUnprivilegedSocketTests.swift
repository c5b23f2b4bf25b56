import Foundation
import MilterTestSupport
import Testing

/// `reference-milter daemon local:PATH` run as an unprivileged user against a socket file it may
/// not connect to: `EACCES` says nothing about whether the socket is stale, so the daemon refuses to
/// start and leaves the file alone. The tests run as root, whose connect is never refused for lack
/// of permission, hence the change of user.
@Suite(.tags(.integration)) struct DaemonUnprivilegedSocketTests {
    /// The user and group the daemon runs as: `nobody` / `nogroup` on Debian.
    static let unprivilegedID = 65_534

    /// The command prefix that runs a program as ``unprivilegedID``, or nil after printing why the
    /// test cannot run.
    static func dropPrivileges() -> [String]? {
        guard getuid() == 0 else {
            print("skipped: changing to an unprivileged user needs root; the tests run as uid \(getuid())")
            return nil
        }
        if let setpriv = ExternalTool.path("setpriv") {
            return [
                setpriv, "--reuid=\(unprivilegedID)", "--regid=\(unprivilegedID)", "--clear-groups",
            ]
        }
        if let runuser = ExternalTool.path("runuser") { return [runuser, "-u", "nobody", "--"] }
        print("skipped: neither setpriv nor runuser is installed to run the daemon as an unprivileged user")
        return nil
    }

    @Test func aSocketItMayNotConnectToIsNeitherUsedNorRemoved() async throws {
        guard let prefix = Self.dropPrivileges() else { return }
        let scratch = try Scratch.makeDirectory("eacces")
        defer { Scratch.remove(scratch) }
        // Anyone may create and remove files in the directory, so the daemon could unlink the
        // socket: only its own check keeps the file in place.
        try #require(chmod(scratch.path, 0o777) == 0)
        let path = scratch.appendingPathComponent("m.sock").path
        // A stale socket (nobody listens) that only root may connect to: root's connect would get
        // ECONNREFUSED, the daemon's gets EACCES.
        try #require(bindAndAbandonUnixSocket(path))
        try #require(chmod(path, 0o600) == 0)
        let result = try await ProcessRunner.run(
            prefix[0],
            Array(prefix.dropFirst()) + [
                TestPaths.builtProduct("reference-milter"), "daemon", "local:\(path)", "--log-level", "error",
            ],
            environment: DaemonTests.cleanEnvironment, timeout: .seconds(30))
        #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
        #expect(
            result.stderr.contains(
                "cannot tell whether \(path) is in use (connect: \(String(cString: strerror(EACCES)))); not removing it"
            ),
            "\(result.stderr)")
        var info = stat()
        #expect(lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFSOCK, "the socket file was removed")
        #expect(info.st_uid == 0, "the socket file was replaced")
    }
}
