// swift-tools-version: 6.1
import PackageDescription

let nio: [Target.Dependency] = [
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOPosix", package: "swift-nio"),
    // The one lock family of the package (NIOLock, NIOLockedValueBox): it runs on macOS 14, which
    // `platforms` declares, where the standard library's Mutex needs macOS 15.
    .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
]
let log: Target.Dependency = .product(name: "Logging", package: "swift-log")
let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")

let package = Package(
    name: "swift-milter",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "MilterProtocol", targets: ["MilterProtocol"]),
        .library(name: "MailMessage", targets: ["MailMessage"]),
        .library(name: "MilterClient", targets: ["MilterClient"]),
        .library(name: "MilterCapture", targets: ["MilterCapture"]),
        .library(name: "MilterDNS", targets: ["MilterDNS"]),
        // A milter author's one dependency: the server library and the command line every milter binary gets.
        .library(name: "ReferenceMilter", targets: ["ReferenceMilter", "ReferenceMilterCLI"]),
        .library(name: "MilterReplayKit", targets: ["MilterReplayKit"]),
        .executable(name: "reference-milter", targets: ["reference-milter"]),
        .executable(name: "milter-replay", targets: ["milter-replay"]),
        .executable(name: "reload-proxy", targets: ["reload-proxy"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // Scenario files (milter-replay scenario): YAML with node marks for line and column errors.
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // `swift package generate-documentation` for the DocC catalogues; nothing links it.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // The small POSIX helpers (file descriptor writes, the C library) shared by the targets below; not a product.
        .target(name: "_MilterSystem"),
        // The one parser of milter address spellings (`inet:PORT@HOST`, `[::1]:PORT`, `unix:`…), shared by
        // the client and the server; text only, no sockets. Not a product. IPv4 text is read by MailMessage's
        // IPAddress, the one IPv4 parser.
        .target(name: "_MilterAddress", dependencies: ["MailMessage"]),
        // What both command lines share: numeric option checks, the SMTP client options; not a product.
        .target(
            name: "_MilterCommandLine",
            dependencies: ["MilterClient", "_MilterAddress", "_MilterSystem", argumentParser]),
        // The codec: no sockets, no files.
        .target(
            name: "MilterProtocol",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")]
        ),
        // RFC 5322 / MIME; depends on nothing in this package.
        .target(name: "MailMessage"),
        // The fake MTA.
        .target(
            name: "MilterClient",
            dependencies: ["MilterProtocol", "MailMessage", "_MilterAddress", "_MilterSystem", log] + nio
        ),
        // pcap / pcapng reading, TCP reassembly, milter session extraction; MailMessage for IPAddress.
        .target(
            name: "MilterCapture",
            dependencies: [
                "MilterProtocol", "MailMessage", "_MilterSystem", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        // A small DNS stub resolver (UDP, TCP on truncation) with a strict response parser, for DNSBLs.
        .target(name: "MilterDNS", dependencies: nio),
        // The milter server library.
        .target(
            name: "ReferenceMilter",
            dependencies: [
                "MilterProtocol", "MailMessage", "MilterDNS", "_MilterSystem", "_MilterAddress", log,
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ] + nio
        ),
        // The command line of every milter binary (daemon, test, dump); `test` drives the milter with MilterClient.
        .target(
            name: "ReferenceMilterCLI",
            dependencies: [
                "ReferenceMilter", "MilterClient", "MilterProtocol", "MailMessage", "_MilterSystem",
                "_MilterCommandLine", log, argumentParser,
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                // `daemon --metrics`: the Prometheus registry behind swift-metrics, served over HTTP/1.
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ] + nio
        ),
        .executableTarget(name: "reference-milter", dependencies: ["ReferenceMilterCLI"]),
        // Zero-downtime reload supervisor: hands one listening socket to successive daemon children.
        .target(
            name: "ReloadProxyKit",
            dependencies: ["ReferenceMilter", "_MilterCommandLine", "_MilterSystem", log, argumentParser]),
        .executableTarget(name: "reload-proxy", dependencies: ["ReloadProxyKit"]),
        // milter-replay's logic: corpus and capture replay, comparison, reports, the record proxy. No ArgumentParser.
        .target(
            name: "MilterReplayKit",
            dependencies: [
                "MilterClient", "MilterCapture", "MilterProtocol", "MailMessage", "_MilterSystem",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Yams", package: "Yams"),
            ] + nio
        ),
        // The commands and their options; ReferenceMilter only for the embedded milter used without --target.
        .executableTarget(
            name: "milter-replay",
            dependencies: [
                "MilterReplayKit", "MilterClient", "MilterProtocol", "ReferenceMilter", "_MilterSystem",
                "_MilterCommandLine", argumentParser, log,
            ]
        ),
        // What the test targets share: processes run with deadlines, free ports, scratch files,
        // the skip-or-fail gate for real peers, a scripted milter and a test MTA. Not a product.
        .target(
            name: "MilterTestSupport",
            dependencies: ["MilterProtocol", "_MilterSystem"] + nio,
            path: "Tests/MilterTestSupport"
        ),
        .testTarget(
            name: "MilterProtocolTests",
            dependencies: [
                "MilterProtocol", "MilterTestSupport", .product(name: "NIOTestUtils", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "MailMessageTests", dependencies: ["MailMessage", "MilterTestSupport"]),
        .testTarget(
            name: "MilterClientTests",
            dependencies: ["MilterClient", "MilterTestSupport", .product(name: "NIOEmbedded", package: "swift-nio")]
                + nio
        ),
        .testTarget(name: "MilterDNSTests", dependencies: ["MilterDNS", "MilterTestSupport"] + nio),
        .testTarget(
            name: "MilterCaptureTests",
            dependencies: [
                "MilterCapture", "MailMessage", "MilterTestSupport", .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "ReferenceMilterTests",
            dependencies: [
                "ReferenceMilter", "MilterClient", "MilterProtocol", "MailMessage", "MilterTestSupport", "MilterDNS",
                "_MilterSystem", .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ] + nio
        ),
        .testTarget(
            name: "ReferenceMilterCLITests",
            dependencies: [
                "ReferenceMilterCLI", "ReferenceMilter", "MilterClient", "MilterProtocol", "MailMessage",
                "MilterTestSupport", "_MilterCommandLine", log,
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "InteropTests",
            dependencies: [
                "MilterClient", "ReferenceMilter", "MilterCapture", "MailMessage", "MilterTestSupport", "MilterDNS",
                "milter-replay", "reference-milter", "reload-proxy",
            ] + nio
        ),
        // milter-replay's logic through MilterReplayKit; the executable is built for the test that runs it.
        .testTarget(
            name: "MilterReplayTests",
            dependencies: [
                "MilterReplayKit", "MilterClient", "MilterCapture", "MilterProtocol", "MilterTestSupport",
                "milter-replay", "reference-milter",
            ]
        ),
        // The state machine, and the real binaries under load (hence the executables as dependencies).
        .testTarget(
            name: "ReloadProxyKitTests",
            dependencies: [
                "ReloadProxyKit", "ReferenceMilter", "MilterClient", "MilterProtocol", "MailMessage",
                "MilterTestSupport",
                "reload-proxy", "reference-milter",
            ] + nio
        ),
    ],
    swiftLanguageModes: [.v6]
)
