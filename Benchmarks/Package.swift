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
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
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
        ),
        // One Postfix-shaped transaction through the codec, shared by the benchmark and the
        // instruction-count executable.
        .target(
            name: "CodecWorkload",
            dependencies: [
                .product(name: "MilterProtocol", package: "swift-milter"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "MilterProtocolBenchmarks",
            dependencies: [
                "CodecWorkload", .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MilterProtocol", package: "swift-milter"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Benchmarks/MilterProtocolBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Runs N transactions, for valgrind --tool=callgrind (no hardware counters on these VMs).
        .executableTarget(name: "codec-transaction", dependencies: ["CodecWorkload"]),
        // A Postfix-like synthetic capture, shared by pcap-generate (scripts/pcap-dump-vs-tcpdump.sh) and the
        // MilterCapture benchmarks.
        .target(
            name: "CaptureWorkload",
            dependencies: [
                .product(name: "MilterCapture", package: "swift-milter"),
                .product(name: "MilterProtocol", package: "swift-milter"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(name: "pcap-generate", dependencies: ["CaptureWorkload"]),
        .executableTarget(
            name: "MilterCaptureBenchmarks",
            dependencies: [
                "CaptureWorkload", .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MilterCapture", package: "swift-milter"),
            ],
            path: "Benchmarks/MilterCaptureBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "MilterClientBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MailMessage", package: "swift-milter"),
                .product(name: "MilterClient", package: "swift-milter"),
                .product(name: "MilterProtocol", package: "swift-milter"),
                .product(name: "ReferenceMilter", package: "swift-milter"),
            ],
            path: "Benchmarks/MilterClientBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
