// swift-tools-version: 6.1
// Benchmarks (package-benchmark), kept out of the main package.
// Run: cd Benchmarks && swift package --allow-writing-to-package-directory benchmark
import PackageDescription

let package = Package(
    name: "swift-milter-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "swift-milter", path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "MailMessageBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MailMessage", package: "swift-milter"),
            ],
            path: "Benchmarks/MailMessageBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ],
    swiftLanguageModes: [.v6]
)
