/// The version of this build of swift-milter, printed by `--version`.
package enum PackageVersion {
    package static let current = "0.1.0-dev"
}
