import Foundation
import MilterTestSupport

/// Builds the Swift packages of `interop/` (nionullmilter) once per test process, with the `swift`
/// that runs the tests, into a scratch directory under /tmp so that the source tree stays clean.
actor SwiftPackageProgram {
    /// The one instance: builds are shared by every test.
    static let shared = SwiftPackageProgram()
    private var builds: [String: Task<URL, Error>] = [:]

    /// The `swift` driver: the one on `PATH`, else the toolchain's usual place; nil if neither.
    static var swiftDriver: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/opt/swift/usr/bin", "/usr/bin"]
        return directories.map { "\($0)/swift" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The executable `product` of the package at `package` (relative to the repository root),
    /// built in debug mode with `driver`.
    func binary(package: String, product: String, driver: String) async throws -> URL {
        if let build = builds[package] { return try await build.value }
        let task = Task { try await Self.build(package: package, product: product, driver: driver) }
        builds[package] = task
        return try await task.value
    }

    private static func build(package: String, product: String, driver: String) async throws -> URL {
        let packageURL = TestPaths.root.appendingPathComponent(package)
        let scratch = URL(fileURLWithPath: "/tmp/interop-build/\(product)-scratch")
        let arguments = ["build", "--package-path", packageURL.path, "--scratch-path", scratch.path]
        // A cold build compiles SwiftNIO: minutes on a busy 2-core machine.
        try await ProcessRunner.run(driver, arguments + ["--product", product], timeout: .seconds(900))
            .check("swift build \(package)")
        let binPath = try await ProcessRunner.run(driver, arguments + ["--show-bin-path"], timeout: .seconds(120))
        try binPath.check("swift build --show-bin-path \(package)")
        let directory = binPath.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let binary = URL(fileURLWithPath: directory).appendingPathComponent(product)
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw HarnessError("swift build \(package) left no executable at \(binary.path)")
        }
        return binary
    }
}
