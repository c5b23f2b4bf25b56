import Foundation
import Testing

/// `--export-eml` pads the stream number of every file name to the digit count of the capture's largest exported
/// stream number, so that `ls` sorts the files in stream order (`stream-02` before `stream-10`).
struct ExportEmlStreamPaddingTests {
    /// The load capture has streams 0 to 99: every name has a two-digit stream number, the names are unique, and
    /// sorted as text they come in the order of the stream and message numbers.
    @Test func streamNumbersArePaddedToTheLargestsWidth() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let capture = ReplayBinary.fixture("pcap/postfix-load-cmilter.pcap")
        let export = try await ReplayBinary.run(["--pcap", capture, "--export-eml", directory.path])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stdout.contains("exported 340 messages"), "\(export.stdout)")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(names.count == 340)
        let numbers = names.map { name in
            name.dropFirst("stream-".count).dropLast(".eml".count).components(separatedBy: "-message-")
        }
        #expect(numbers.allSatisfy { $0.count == 2 && $0[0].count == 2 }, "\(names.prefix(12))")
        #expect(names.first == "stream-00-message-1.eml", "\(names.prefix(3))")
        #expect(names.contains("stream-99-message-1.eml"))
        let order = numbers.map { ($0[0], Int($0[0]) ?? -1, Int($0[1]) ?? -1) }
        let numeric = order.sorted { ($0.1, $0.2) < ($1.1, $1.2) }
        #expect(order.map(\.0) == numeric.map(\.0), "names sorted as text are not in stream order")
    }
}
