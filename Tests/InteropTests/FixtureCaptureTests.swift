import Foundation
import MilterTestSupport
import Testing

/// The committed captures in fixtures/pcap are what their README says, as Wireshark's own tools read
/// them: file type, link type, number of TCP connections, and truncation only where intended.
@Suite("fixtures/pcap as tshark reads them")
struct FixtureCaptureTests {
    struct Expectation: Sendable, CustomStringConvertible {
        let file: String
        let type: String
        let encapsulation: String
        let connections: Int
        let truncated: Bool
        var description: String { file }
    }

    static let expectations = [
        Expectation(
            file: "postfix-cmilter-lo.pcap", type: "pcap", encapsulation: "ether", connections: 4, truncated: false),
        Expectation(
            file: "postfix-cmilter-any-sll2.pcap", type: "pcap", encapsulation: "linux-sll2", connections: 4,
            truncated: false),
        Expectation(
            file: "postfix-cmilter-snaplen120.pcap", type: "pcap", encapsulation: "ether", connections: 2,
            truncated: true),
        Expectation(
            file: "postfix-cmilter-ipv6.pcap", type: "pcap", encapsulation: "ether", connections: 1, truncated: false),
        Expectation(
            file: "postfix-opendkim.pcapng", type: "pcapng", encapsulation: "ether", connections: 1, truncated: false),
        Expectation(
            file: "sendmail-cmilter-lo.pcap", type: "pcap", encapsulation: "ether", connections: 2, truncated: false),
    ]

    @Test(arguments: expectations)
    func captureMatchesItsDescription(_ expected: Expectation) async throws {
        guard Interop.require(.tshark) else { return }
        let path = TestPaths.root.appendingPathComponent("fixtures/pcap/\(expected.file)").path
        let info = try await ProcessRunner.run("/usr/bin/capinfos", ["-T", "-m", "-r", "-t", "-E", path])
            .check("capinfos")
        #expect(
            info.stdout.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix(
                "\(expected.type),\(expected.encapsulation)"))
        let frames = try await ProcessRunner.run(
            "/usr/bin/tshark",
            [
                "-r", path, "-T", "fields", "-E", "separator=,", "-e", "tcp.stream", "-e", "frame.cap_len", "-e",
                "frame.len",
            ]
        ).check("tshark").stdout.split(separator: "\n").map { $0.split(separator: ",").compactMap { Int($0) } }
        #expect(Set(frames.compactMap(\.first)).count == expected.connections)
        #expect(frames.contains { $0.count == 3 && $0[1] < $0[2] } == expected.truncated)
    }
}
