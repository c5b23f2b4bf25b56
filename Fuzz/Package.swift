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
        .executableTarget(
            name: "MailMessageFuzzer",
            dependencies: [.product(name: "MailMessage", package: "swift-milter")]
        ),
        .executableTarget(
            name: "DNSResponseFuzzer",
            dependencies: [.product(name: "MilterDNS", package: "swift-milter")]
        ),
        .executableTarget(
            name: "CaptureFuzzer",
            dependencies: [
                .product(name: "MilterCapture", package: "swift-milter"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "MilterProtocolFuzzer",
            dependencies: [
                .product(name: "MilterProtocol", package: "swift-milter"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
