// swift-tools-version: 6.1
// nionullmilter: the cheapest milter that SwiftNIO allows, a yardstick for reference-milter's
// server (scripts/perf-reference-milter.sh with NIO_NULL=1). A package of its own, so that the main
// package does not build or ship it.
import PackageDescription

let package = Package(
    name: "nionullmilter",
    dependencies: [.package(url: "https://github.com/apple/swift-nio", from: "2.101.2")],
    targets: [
        .executableTarget(
            name: "nionullmilter",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ]
        )
    ],
    swiftLanguageModes: [.v6]
)
