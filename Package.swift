// swift-tools-version: 6.1
import PackageDescription

let nio: [Target.Dependency] = [
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOPosix", package: "swift-nio"),
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
        // A milter author's one dependency: the server library and the command line every milter binary gets.
        .library(name: "ReferenceMilter", targets: ["ReferenceMilter", "ReferenceMilterCLI"]),
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
    ],
    targets: [
        // The codec: no sockets, no files.
        .target(
            name: "MilterProtocol",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")]
        ),
        // RFC 5322 / MIME; depends on nothing in this package.
        .target(name: "MailMessage"),
        // The fake MTA.
        .target(name: "MilterClient", dependencies: ["MilterProtocol", "MailMessage", log] + nio),
        // pcap / pcapng reading, TCP reassembly, milter session extraction.
        .target(
            name: "MilterCapture",
            dependencies: [
                "MilterProtocol", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        // The milter server library.
        .target(
            name: "ReferenceMilter",
            dependencies: [
                "MilterProtocol", "MailMessage", log,
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ] + nio
        ),
        // The command line of every milter binary (daemon, test, dump); `test` drives the milter with MilterClient.
        .target(
            name: "ReferenceMilterCLI",
            dependencies: [
                "ReferenceMilter", "MilterClient", "MilterProtocol", "MailMessage", log, argumentParser,
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ] + nio
        ),
        .executableTarget(name: "reference-milter", dependencies: ["ReferenceMilterCLI"]),
        // Zero-downtime reload supervisor: hands one listening socket to successive daemon children.
        .target(name: "ReloadProxyKit", dependencies: ["ReferenceMilter", log, argumentParser]),
        .executableTarget(name: "reload-proxy", dependencies: ["ReloadProxyKit"]),
        .executableTarget(
            name: "milter-replay",
            dependencies: [
                "MilterClient", "MilterCapture", "ReferenceMilter", "MailMessage", argumentParser, log,
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ] + nio
        ),
        .testTarget(
            name: "MilterProtocolTests",
            dependencies: ["MilterProtocol", .product(name: "NIOTestUtils", package: "swift-nio")]
        ),
        .testTarget(name: "MailMessageTests", dependencies: ["MailMessage"]),
        .testTarget(name: "MilterClientTests", dependencies: ["MilterClient"] + nio),
        .testTarget(
            name: "MilterCaptureTests",
            dependencies: ["MilterCapture", .product(name: "NIOCore", package: "swift-nio")]
        ),
        .testTarget(
            name: "ReferenceMilterTests",
            dependencies: [
                "ReferenceMilter", "MilterClient", "MilterProtocol", "MailMessage",
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ] + nio
        ),
        .testTarget(
            name: "ReferenceMilterCLITests",
            dependencies: [
                "ReferenceMilterCLI", "MilterClient", "MilterProtocol", "MailMessage",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "InteropTests",
            dependencies: ["MilterClient", "ReferenceMilter", "MilterCapture", "MailMessage", "milter-replay"] + nio
        ),
        // The state machine, and the real binaries under load (hence the executables as dependencies).
        .testTarget(
            name: "ReloadProxyKitTests",
            dependencies: [
                "ReloadProxyKit", "ReferenceMilter", "MilterClient", "MilterProtocol", "MailMessage", "reload-proxy",
                "reference-milter", .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ] + nio
        ),
        // milter-replay's own logic (capture replay comparison), with @testable import.
        .testTarget(name: "MilterReplayTests", dependencies: ["milter-replay", "MilterClient", "MilterProtocol"]),
    ],
    swiftLanguageModes: [.v6]
)
