import Foundation
import MilterTestSupport
import Testing

@testable import MilterDNS

/// Every file in `fixtures/fuzz/dnsresponse/` (the fuzzer's seeds, and inputs that once failed,
/// kept as `regression-*`) goes through the parser as the fuzzer drives it.
@Suite struct FuzzRegressionTests {
    static let directory = TestPaths.fixtures("fuzz/dnsresponse")

    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { !$0.hasPrefix(".") }
            .sorted()
    }

    @Test func seedsArePresent() { #expect(Self.files.count >= 5) }

    @Test(arguments: files)
    func survives(_ name: String) throws {
        let bytes = Array(try Data(contentsOf: Self.directory.appendingPathComponent(name)))
        do {
            let response = try DNSResponse(parsing: bytes)
            #expect(!name.hasPrefix("regression-"), "\(name) should be refused")
            for record in response.answers + response.authorities + response.additionals { _ = record.data }
        } catch {
            #expect(!error.description.isEmpty)
        }
    }
}
