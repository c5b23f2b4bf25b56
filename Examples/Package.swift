// swift-tools-version: 6.1
// The README's example milter, built against this checkout (CI builds and tests it).
import PackageDescription

let package = Package(
    name: "swift-milter-examples",
    platforms: [.macOS(.v14)],
    dependencies: [
        // A milter of your own names the published package instead:
        // .package(url: "https://github.com/<owner>/swift-milter", from: "0.1.0")
        .package(name: "swift-milter", path: ".."),
        // For NIOCore's SocketAddress in ZenDNSBL: swift-milter's own libraries do not re-export it.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // The classifier, in a library so that the test can import it.
        .target(
            name: "NoInvoices",
            dependencies: [.product(name: "ReferenceMilter", package: "swift-milter")]
        ),
        // The milter binary: the classifier plus ReferenceMilter's command line.
        .executableTarget(
            name: "no-invoices",
            dependencies: ["NoInvoices", .product(name: "ReferenceMilter", package: "swift-milter")]
        ),
        // docs/dnsbl.md's DNSBL classifier: MilterDNS, MailMessage and NIOCore are products of their own.
        .target(
            name: "ZenDNSBL",
            dependencies: [
                .product(name: "ReferenceMilter", package: "swift-milter"),
                .product(name: "MilterDNS", package: "swift-milter"),
                .product(name: "MailMessage", package: "swift-milter"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // Drives the classifier through the real protocol with MilterClient, the fake MTA.
        .testTarget(
            name: "NoInvoicesTests",
            dependencies: [
                "NoInvoices",
                .product(name: "ReferenceMilter", package: "swift-milter"),
                .product(name: "MilterClient", package: "swift-milter"),
                .product(name: "MailMessage", package: "swift-milter"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
