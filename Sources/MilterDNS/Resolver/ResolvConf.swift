import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The part of resolv.conf(5) this client uses: the first three `nameserver` lines (port 53) and the
/// `timeout:N`, `attempts:N` and `rotate` options. `search`, `domain` and `ndots` do not apply: DNSBL
/// names are always asked as they are, absolute.
public struct ResolvConf: Hashable, Sendable {
    /// The most servers used, as glibc's resolver (`MAXNS`): later `nameserver` lines are ignored.
    public static let maximumNameservers = 3

    /// The servers, in file order, at most ``maximumNameservers`` (NIOCore's `SocketAddress`:
    /// `import NIOCore` to work with them). A link-local IPv6 server keeps its scope (`fe80::1%eth0`):
    /// an interface name or index.
    public var nameservers: [SocketAddress]
    /// How many usable `nameserver` lines came after the first ``maximumNameservers`` and are ignored.
    public var ignoredNameservers = 0
    /// `options rotate`: each query starts at the next server rather than the first.
    public var rotate = false
    /// `options timeout:N`: seconds each attempt waits, 1 to 30 (as glibc bounds it); `nil` if not given.
    public var timeout: Duration?
    /// `options attempts:N`: how many times the list of servers is tried, 1 to 5; `nil` if not given.
    public var attempts: Int?

    /// Reads a resolv.conf text: its `nameserver` lines (the first ``maximumNameservers`` usable ones)
    /// and its `options`; other lines, the words after a nameserver's address, and comments (`#` or `;`
    /// at the start of a line) are ignored. A later option overrides an earlier one.
    public init(parsing text: String) {
        nameservers = []
        for line in text.split(whereSeparator: \.isNewline) {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard words.count >= 2 else { continue }
            if words[0] == "nameserver", let server = Self.server(String(words[1])) {
                if nameservers.count < Self.maximumNameservers {
                    nameservers.append(server)
                } else {
                    ignoredNameservers += 1
                }
            } else if words[0] == "options" {
                for option in words.dropFirst() { apply(option) }
            }
        }
    }

    private mutating func apply(_ option: Substring) {
        if option.hasPrefix("timeout:"), let seconds = Int(option.dropFirst(8)), seconds >= 0 {
            timeout = .seconds(min(max(seconds, 1), 30))
        } else if option.hasPrefix("attempts:"), let count = Int(option.dropFirst(9)), count >= 0 {
            attempts = min(max(count, 1), 5)
        } else if option == "rotate" {
            rotate = true
        }
    }

    /// A numeric address on port 53, with its scope if it is link-local (`fe80::1%eth0`, `fe80::1%2`).
    /// `nil` when the address is not numeric, or names an interface this host does not have.
    static func server(_ text: String) -> SocketAddress? {
        let parts = text.split(separator: "%", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = try? SocketAddress(ipAddress: String(parts[0]), port: 53) else { return nil }
        guard parts.count == 2 else { return address }
        guard case .v6(let v6) = address, !parts[1].isEmpty else { return nil }
        let scope = UInt32(parts[1]) ?? if_nametoindex(String(parts[1]))
        guard scope != 0 else { return nil }
        var raw = v6.address
        // Only a link-local address has a scope: the kernel ignores it for others and reports their
        // replies without one, which would then not match the server.
        let first = withUnsafeBytes(of: raw.sin6_addr) { [$0[0], $0[1]] }
        guard first[0] == 0xFE, first[1] & 0xC0 == 0x80 else { return address }
        raw.sin6_scope_id = scope
        return SocketAddress(raw, host: String(parts[0]))
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
