import Foundation
import MilterClient
import MilterTestSupport
import NIOCore
import Testing
import _MilterSystem

@testable import ReferenceMilter

/// Unix socket paths, modes and inherited descriptors: nothing removed or exposed by mistake.
@Suite struct SocketSafetyTests {
    static func scratchPath(_ label: String) -> String {
        NSTemporaryDirectory() + "\(label)-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
    }

    static func server(_ address: ListenAddress, unixSocket: UnixSocketOptions = UnixSocketOptions()) -> MilterServer {
        MilterServer(
            classifier: RulesClassifier.default,
            configuration: ServerConfiguration(address: address, eventLoopThreads: 1, unixSocket: unixSocket),
            logger: quietLogger())
    }

    @Test(arguments: [
        ("inet:7408@127.0.0.1", ListenAddress.tcp(host: "127.0.0.1", port: 7408)),
        ("inet6:7408@::1", .tcp(host: "::1", port: 7408)), ("inet:127.0.0.1:7408", .tcp(host: "127.0.0.1", port: 7408)),
        ("inet6:[::1]:7408", .tcp(host: "::1", port: 7408)), ("[::1]:7408", .tcp(host: "::1", port: 7408)),
        ("local:/run/m.sock", .unix(path: "/run/m.sock")), ("/run/m.sock", .unix(path: "/run/m.sock")),
    ])
    func theDaemonTakesTheSpellingsMilterReplayTakes(text: String, address: ListenAddress) throws {
        #expect(try ListenAddress(validating: text) == address)
        switch try MilterAddress(parsing: text) {
        case .inet(let host, let port): #expect(address == .tcp(host: host, port: port))
        case .unix(let path): #expect(address == .unix(path: path))
        }
    }

    @Test func aBadAddressSaysWhatIsWrong() {
        #expect(
            throws: ListenAddress.ParseError(text: "::1:25", reason: "write an IPv6 address in brackets: [::1]:PORT")
        ) { try ListenAddress(validating: "::1:25") }
        #expect(throws: ListenAddress.ParseError.self) { try ListenAddress(validating: "inet:99999@localhost") }
    }

    @Test func aPathLongerThanSunPathIsAClearError() async throws {
        let path = "/tmp/" + String(repeating: "p", count: 200)
        let server = Self.server(.unix(path: path))
        await #expect {
            try await server.start()
        } throws: { error in
            "\(error)".contains("a unix socket path has at most \(StaleSocket.maximumPathLength)")
        }
        try await server.stop()
    }

    @Test func aSymbolicLinkAtThePathIsRefusedAndKept() async throws {
        let path = Self.scratchPath("milter-link")
        let target = Self.scratchPath("milter-target")
        #expect(symlink(target, path) == 0)
        defer { unlink(path) }
        let server = Self.server(.unix(path: path))
        await #expect {
            try await server.start()
        } throws: { error in
            "\(error)".contains("is a symbolic link")
        }
        try await server.stop()
        var info = stat()
        #expect(lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK)
        #expect(!FileManager.default.fileExists(atPath: target))
    }

    /// A listener whose backlog is full answers EAGAIN, not ECONNREFUSED: its socket is alive and stays.
    @Test func aSocketWithAFullBacklogIsNotRemoved() throws {
        let path = Self.scratchPath("milter-busy")
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer {
            close(listener)
            unlink(path)
        }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let length = socklen_t(MemoryLayout<sockaddr_un>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) }
        }
        try #require(bound == 0 && listen(listener, 0) == 0)
        var fillers: [Int32] = []
        defer { fillers.forEach { close($0) } }
        for _ in 0..<8 {
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            fillers.append(fd)
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) }
            }
            if result != 0 && errno == EAGAIN { break }
        }
        #expect(StaleSocket.clear(path: path) == .undetermined(errno: EAGAIN))
        #expect(FileManager.default.fileExists(atPath: path))
    }

    @Test func theModeIsTheOneAskedForAndOwnerNamesAreChecked() async throws {
        let path = Self.scratchPath("milter-mode")
        let server = Self.server(.unix(path: path), unixSocket: UnixSocketOptions(mode: 0o600, group: "\(getgid())"))
        try await server.start()
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect(attributes[.posixPermissions] as? Int == 0o600)
        #expect((attributes[.groupOwnerAccountID] as? NSNumber)?.uint32Value == getgid())
        try await server.stop()
        let nobody = Self.server(.unix(path: path), unixSocket: UnixSocketOptions(group: "no-such-group-h4"))
        await #expect(throws: ServerError.cannotSetOwner(path: path, reason: "no group no-such-group-h4")) {
            try await nobody.start()
        }
        try await nobody.stop()
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func aPortInUseNamesTheAddress() async throws {
        let (fd, port) = try FreePort.boundSocket(host: "127.0.0.1")
        defer { close(fd) }
        #expect(listen(fd, 4) == 0)
        let server = Self.server(.tcp(host: "127.0.0.1", port: port))
        await #expect(throws: ServerError.addressInUse(address: "127.0.0.1:\(port)")) { try await server.start() }
        try await server.stop()
    }

    @Test func anInheritedDatagramSocketIsRefused() {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        #expect(throws: ListeningSocketCheck.Problem.notAStreamSocket(fd)) { try ListeningSocketCheck.validate(fd) }
    }

    @Test func theConnectionLimitFollowsTheDescriptorLimit() {
        #expect(DescriptorLimit.connectionLimit(descriptors: 1_024) == 960)
        #expect(DescriptorLimit.connectionLimit(descriptors: 20_000) == DescriptorLimit.connectionCeiling)
        #expect(DescriptorLimit.connectionLimit(descriptors: 10) == 16)
        #expect(DescriptorLimit.raiseSoftToHard() >= DescriptorLimit.current)
        #expect(MemoryBudget(perConnection: 1 << 20).total(maximumConnections: 10) == 10 << 20)
        #expect(MemoryBudget(perConnection: 1 << 20, total: 5).total(maximumConnections: 10) == 5)
    }
}
