// swift-tools-version: 6.1
// Stand-ins used by scripts/pcap-dump-vs-tcpdump.sh until `milter-replay --pcap FILE --dump` is wired:
// pcap-dump runs the same library call the CLI will make; pcap-generate writes a large synthetic capture.
import PackageDescription

let package = Package(
    name: "pcap-dump-bench",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "swift-milter", path: "../../"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(
            name: "pcap-dump",
            dependencies: [.product(name: "MilterCapture", package: "swift-milter")]
        ),
        .executableTarget(
            name: "pcap-generate",
            dependencies: [
                .product(name: "MilterCapture", package: "swift-milter"),
                .product(name: "MilterProtocol", package: "swift-milter"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
