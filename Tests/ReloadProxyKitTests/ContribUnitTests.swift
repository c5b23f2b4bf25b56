import Foundation
import MilterTestSupport
import Testing

/// contrib/systemd passes `systemd-analyze verify`, with ExecStart pointing at the binaries just built.
@Suite("contrib/systemd units")
struct ContribUnitTests {
    static let repository = TestPaths.root
    static let analyzer = "/usr/bin/systemd-analyze"

    @Test(arguments: ["reference-milter.service", "reference-milter-notify.service"])
    func unitsVerify(service: String) async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.analyzer) else {
            if ProcessInfo.processInfo.environment["MILTER_INTEROP"] == "required" {
                Issue.record("systemd-analyze is required but not installed")
            } else {
                print("skipped: systemd-analyze is not installed")
            }
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("units-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let binaries = ProxyProcess.binary("reload-proxy").replacingOccurrences(of: "/reload-proxy", with: "/")
        let contrib = Self.repository.appendingPathComponent("contrib/systemd")
        // The socket activates the service of its own name, so each variant is verified as reference-milter.service.
        for (source, target) in [
            ("reference-milter.socket", "reference-milter.socket"), (service, "reference-milter.service"),
        ] {
            let text = try String(contentsOf: contrib.appendingPathComponent(source), encoding: .utf8)
            try text.replacingOccurrences(of: "/usr/local/bin/", with: binaries)
                .write(to: directory.appendingPathComponent(target), atomically: true, encoding: .utf8)
        }
        let result = try await ProcessRunner.run(
            Self.analyzer,
            [
                "verify", "--man=no", directory.appendingPathComponent("reference-milter.socket").path,
                directory.appendingPathComponent("reference-milter.service").path,
            ])
        let text = result.stdout + result.stderr
        #expect(result.status == 0, "\(text)")
        #expect(text.isEmpty, "\(text)")
    }
}
