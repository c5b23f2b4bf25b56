import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The part of resolv.conf(5) this client uses: the `nameserver` lines, port 53.
public struct ResolvConf: Hashable, Sendable {
    /// The servers, in file order (NIOCore's `SocketAddress`: `import NIOCore` to work with them).
    public var nameservers: [SocketAddress]

    /// Reads the nameserver lines of a resolv.conf text; other lines and comments are ignored.
    public init(parsing text: String) {
        nameservers = text.split(whereSeparator: \.isNewline).compactMap { line in
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard words.count >= 2, words[0] == "nameserver" else { return nil }
            // A scope suffix (fe80::1%eth0) is dropped; link-local servers then need an explicit address.
            let host = words[1].split(separator: "%").first.map(String.init) ?? ""
            return try? SocketAddress(ipAddress: host, port: 53)
        }
    }

    /// Reads a file; throws when it cannot be read or names no server.
    public static func load(_ path: String) throws(DNSError) -> ResolvConf {
        guard let file = fopen(path, "r") else { throw DNSError(.badResolvConf, detail: "cannot open \(path)") }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 1 << 20 {
            let count = fread(&chunk, 1, chunk.count, file)
            if count <= 0 { break }
            bytes += chunk[0..<count]
        }
        let conf = ResolvConf(parsing: String(decoding: bytes, as: UTF8.self))
        guard !conf.nameservers.isEmpty else { throw DNSError(.badResolvConf, detail: "no nameserver in \(path)") }
        return conf
    }
}
