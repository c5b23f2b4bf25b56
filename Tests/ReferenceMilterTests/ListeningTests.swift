import Foundation
import MilterProtocol
import MilterTestSupport
import NIOCore
import NIOPosix
import Testing

@testable import ReferenceMilter

@Suite struct ListeningTests {
    @Test(arguments: [
        ("127.0.0.1:7044", ListenAddress.tcp(host: "127.0.0.1", port: 7044)), ("[::1]:25", .tcp(host: "::1", port: 25)),
        ("unix:/run/m.sock", .unix(path: "/run/m.sock")), ("fd:3", .inherited(descriptor: 3)),
        ("7045", .tcp(host: "127.0.0.1", port: 7045)),
    ])
    func addressesParse(text: String, address: ListenAddress) {
        #expect(ListenAddress(parsing: text) == address)
        #expect(ListenAddress(parsing: address.description) == address)
    }

    @Test(arguments: ["::1:25", "host:99999", "unix:", ":25", "fd:-1"])
    func badAddressesAreRefused(text: String) { #expect(ListenAddress(parsing: text) == nil) }

    /// The log line's address: port 0 becomes the bound port; a port asked for, a socket path or a descriptor stays.
    @Test(arguments: [
        (ListenAddress.tcp(host: "127.0.0.1", port: 0), 41_000 as Int?, "127.0.0.1:41000"),
        (.tcp(host: "::1", port: 0), 9145, "[::1]:9145"),
        (.tcp(host: "127.0.0.1", port: 7044), 41_000, "127.0.0.1:7044"),
        (.tcp(host: "127.0.0.1", port: 0), nil, "127.0.0.1:0"),
        (.unix(path: "/run/m.sock"), 41_000, "unix:/run/m.sock"),
        (.inherited(descriptor: 3), 41_000, "fd:3"),
    ])
    func boundPortIsShown(address: ListenAddress, port: Int?, shown: String) {
        #expect(address.withBoundPort(port).description == shown)
    }

    @Test func defaultIsLoopback() { #expect(ListenAddress.default == .tcp(host: "127.0.0.1", port: 7044)) }

    @Test func unixSocketHasMode0660AndAStaleOneIsReplaced() async throws {
        let path = NSTemporaryDirectory() + "milter-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        // A stale socket: bound and closed, its file left behind, as after a crash.
        #expect(bindAndAbandonUnixSocket(path))
        #expect(FileManager.default.fileExists(atPath: path))
        let server = MilterServer(
            classifier: RulesClassifier.default,
            configuration: ServerConfiguration(address: .unix(path: path), eventLoopThreads: 1), logger: quietLogger())
        try await server.start()
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o660)
        // A second server must not steal a live socket.
        let thief = MilterServer(
            classifier: RulesClassifier.default,
            configuration: ServerConfiguration(address: .unix(path: path), eventLoopThreads: 1), logger: quietLogger())
        await #expect(throws: ServerError.socketInUse(path: path)) { try await thief.start() }
        try await thief.stop()
        try await server.stop()
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func aRegularFileIsNeverRemoved() async throws {
        let path = NSTemporaryDirectory() + "milter-file-\(getpid()).sock"
        #expect(FileManager.default.createFile(atPath: path, contents: Data("keep".utf8)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let server = MilterServer(
            classifier: RulesClassifier.default,
            configuration: ServerConfiguration(address: .unix(path: path), eventLoopThreads: 1), logger: quietLogger())
        await #expect(throws: ServerError.notASocket(path: path)) { try await server.start() }
        try await server.stop()
        #expect(FileManager.default.contents(atPath: path) == Data("keep".utf8))
    }

    @Test func inheritedDescriptorIsServed() async throws {
        let (fd, port) = try FreePort.boundSocket(host: "127.0.0.1")
        // Close-on-exec at once, and no setenv: children other suites start meanwhile must not
        // inherit this listening socket and the variable naming it (they would serve on it).
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        #expect(listen(fd, 16) == 0)
        let inherited = try #require(try InheritedSocket.parse(["MILTER_LISTEN_FD": "\(fd)"], pid: getpid()))
        #expect(inherited == .inherited(descriptor: fd))
        let server = MilterServer(
            classifier: RulesClassifier.default,
            configuration: ServerConfiguration(
                address: inherited, eventLoopThreads: 1, timeouts: ConnectionTimeouts(handshake: .seconds(120))),
            logger: quietLogger())
        try await server.start()
        let mta = try await TestMTA.connect(port: port)
        #expect(try await mta.negotiate().version == .v6)
        await mta.close()
        try await server.stop()
    }

    /// A value meant for this process that is not a usable number is an error, never silently ignored.
    @Test(arguments: [
        (["MILTER_LISTEN_FD": "abc"], "MILTER_LISTEN_FD=\"abc\" is not a descriptor number"),
        (["MILTER_LISTEN_FD": "-1"], "MILTER_LISTEN_FD=\"-1\" is not a descriptor number"),
        (["MILTER_LISTEN_FD": ""], "MILTER_LISTEN_FD=\"\" is not a descriptor number"),
        (["LISTEN_FDS": "0", "LISTEN_PID": "\(getpid())"], "LISTEN_FDS=\"0\" passes no socket"),
        (["LISTEN_FDS": "x", "LISTEN_PID": "\(getpid())"], "LISTEN_FDS=\"x\" passes no socket"),
        // One only was served, the others left unanswered without a word: several are refused.
        (
            ["LISTEN_FDS": "2", "LISTEN_PID": "\(getpid())"],
            "LISTEN_FDS=\"2\" passes 2 sockets; one only can be served: give the socket unit a single Listen line"
        ),
    ])
    func unusableValuesAreErrors(variables: [String: String], message: String) {
        let error = #expect(throws: InheritedSocketError.self) { try InheritedSocket.parse(variables, pid: getpid()) }
        #expect(error?.description == message)
    }

    @Test func systemdActivationNeedsOurPid() throws {
        // Someone else's.
        #expect(try InheritedSocket.parse(["LISTEN_FDS": "1", "LISTEN_PID": "1"], pid: getpid()) == nil)
        #expect(
            try InheritedSocket.parse(["LISTEN_FDS": "1", "LISTEN_PID": "\(getpid())"], pid: getpid())
                == .inherited(descriptor: 3))
        #expect(
            try InheritedSocket.parse(["MILTER_LISTEN_FD": "7", "LISTEN_FDS": "1"], pid: 1) == .inherited(descriptor: 7)
        )
        #expect(try InheritedSocket.parse([:], pid: getpid()) == nil)
    }
}

/// Binds a unix socket and closes it without removing the file.
func bindAndAbandonUnixSocket(_ path: String) -> Bool {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    } == 0
}
