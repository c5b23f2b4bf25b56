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

    /// `systemctl reload` runs the services' ExecReload= lines in order and stops at the first that fails: the
    /// rules check comes before the SIGHUP, and fails on a broken file (so the reload fails, and nothing is
    /// signalled) and passes on a good one. Without it a broken file's reload "succeeded" while the old rules stayed.
    @Test(arguments: ["reference-milter.service", "reference-milter-notify.service"])
    func reloadChecksTheRulesBeforeTheSignal(service: String) async throws {
        let text = try String(
            contentsOf: Self.repository.appendingPathComponent("contrib/systemd/\(service)"), encoding: .utf8)
        let reloads = text.split(separator: "\n").filter { $0.hasPrefix("ExecReload=") }.map {
            $0.dropFirst("ExecReload=".count).split(separator: " ").map(String.init)
        }
        try #require(reloads.count == 2, "\(reloads)")
        #expect(reloads[0] == ["/usr/local/bin/reference-milter", "check-config", "/etc/reference-milter/rules"])
        #expect(reloads[1] == ["/bin/kill", "-HUP", "$MAINPID"])
        let directory = try Scratch.makeDirectory("unit-reload")
        defer { Scratch.remove(directory) }
        let rules = directory.appendingPathComponent("rules")
        let check = TestPaths.builtProduct("reference-milter")
        try "subject contains \"x\" => frobnicate\n".write(to: rules, atomically: true, encoding: .utf8)
        let broken = try await ProcessRunner.run(check, ["check-config", rules.path])
        #expect(broken.status != 0, "\(broken.stdout)\(broken.stderr)")
        #expect(broken.stderr.contains("line 1"), "\(broken.stderr)")
        try "subject contains \"x\" => reject \"550 5.7.1 no\"\n".write(to: rules, atomically: true, encoding: .utf8)
        let good = try await ProcessRunner.run(check, ["check-config", rules.path])
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
    }
}
