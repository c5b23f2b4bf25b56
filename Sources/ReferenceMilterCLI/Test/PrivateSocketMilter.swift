import Logging
import NIOCore
import ReferenceMilter

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A milter server for one `test` run, listening on a unix-domain socket in a fresh directory that only
/// this user can enter: no TCP port is bound, and no other user's process can reach the classifier.
struct PrivateSocketMilter {
    /// The server.
    let server: MilterServer
    /// The directory that holds the socket, removed by ``shutdown()``.
    let directory: String

    /// The socket's path.
    var path: String { Self.socketPath(in: directory) }

    /// Makes the directory and starts a server on a socket in it; `configuration.address` is replaced.
    static func start(
        classifier: any MailClassifier, configuration: ServerConfiguration, logger: Logger,
        observer: @escaping @Sendable (MailInfo, Decision) -> Void
    ) async throws -> PrivateSocketMilter {
        let directory = try makePrivateDirectory()
        var configuration = configuration
        configuration.address = .unix(path: socketPath(in: directory))
        let server = MilterServer(
            classifier: classifier, configuration: configuration, logger: logger, observer: observer)
        let milter = PrivateSocketMilter(server: server, directory: directory)
        do {
            try await server.start()
        } catch {
            await milter.shutdown()
            throw error
        }
        return milter
    }

    /// Stops the server (which removes its socket) and removes the directory.
    func shutdown() async {
        try? await server.stop()
        _ = unlink(path)
        _ = rmdir(directory)
    }

    private static func socketPath(in directory: String) -> String { directory + "/milter.sock" }

    /// A new directory with mode 0700 under `$TMPDIR` (or `/tmp`). The path stays short: a socket path
    /// has room for about 100 bytes.
    private static func makePrivateDirectory() throws -> String {
        let base = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array(((base.hasSuffix("/") ? base : base + "/") + "milter-test.XXXXXX").utf8CString)
        guard mkdtemp(&template) != nil else { throw PrivateSocketError.cannotMakeDirectory(errno: errno) }
        return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}

/// Why `test` could not start its milter.
enum PrivateSocketError: Error, CustomStringConvertible {
    /// `mkdtemp` failed.
    case cannotMakeDirectory(errno: Int32)

    var description: String {
        switch self {
        case .cannotMakeDirectory(let code): "cannot make a temporary directory for the milter's socket (errno \(code))"
        }
    }
}
