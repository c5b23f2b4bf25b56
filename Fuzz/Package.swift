// swift-tools-version: 6.1
// libFuzzer targets, kept out of the main package: they only link with -sanitize=fuzzer.
// Build and run one with: Fuzz/run.sh TARGET SECONDS
import PackageDescription

let package = Package(
    name: "swift-milter-fuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "swift-milter", path: "../"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // The libFuzzer entry of the targets that take their input as bytes.
        .target(name: "FuzzDriver"),
        .executableTarget(
            name: "MailMessageFuzzer",
            dependencies: ["FuzzDriver", .product(name: "MailMessage", package: "swift-milter")]
        ),
        .executableTarget(
            name: "DNSResponseFuzzer",
            dependencies: ["FuzzDriver", .product(name: "MilterDNS", package: "swift-milter")]
        ),
        .executableTarget(
            name: "CaptureFuzzer",
            dependencies: [
                "FuzzDriver",
                .product(name: "MilterCapture", package: "swift-milter"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "RecordSynthesisFuzzer",
            dependencies: [
                "FuzzDriver",
                .product(name: "MilterCapture", package: "swift-milter"),
                .product(name: "MailMessage", package: "swift-milter"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "RulesFileFuzzer",
            dependencies: ["FuzzDriver", .product(name: "ReferenceMilter", package: "swift-milter")]
        ),
        .executableTarget(
            name: "MilterProtocolFuzzer",
            dependencies: [
                "FuzzDriver",
                .product(name: "MilterProtocol", package: "swift-milter"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
