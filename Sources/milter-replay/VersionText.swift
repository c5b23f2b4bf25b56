/// What `milter-replay --version` prints.
enum VersionText {
    /// The version of this build of swift-milter's `milter-replay`.
    static let current = PackageVersion.current
}
