import ReferenceMilterCLI
import Testing

/// Help fits the milter: one without a configuration file does not offer `--config`, SIGHUP reloading
/// or `check-config`, which it refuses.
@Suite struct HelpTextTests {
    static let plain = MilterConfiguration(name: "no-files", classifier: Recorder())
    static let rules = MilterConfiguration(
        name: "rules-milter", classifier: RulesClassifier.default,
        loadClassifier: { try RulesClassifier(text: $0) }, builtInConfiguration: RulesClassifier.defaultRulesText)

    /// The help with its lines joined: ArgumentParser wraps them at the terminal's width.
    static func help(arguments: [String], configuration: MilterConfiguration) -> String {
        MilterCommandLine.helpText(arguments: arguments, configuration: configuration)
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// One test: the command line's configuration is one per process.
    @Test func helpOffersConfigurationFilesOnlyToAMilterThatTakesThem() {
        let root = Self.help(arguments: ["--help"], configuration: Self.plain)
        let daemon = Self.help(arguments: ["daemon", "--help"], configuration: Self.plain)
        let test = Self.help(arguments: ["test", "--help"], configuration: Self.plain)
        #expect(root.contains("daemon") && root.contains("dump"), "\(root)")
        for text in [root, daemon, test] {
            #expect(!text.contains("check-config"), "\(text)")
            #expect(!text.contains("--config"), "\(text)")
            #expect(!text.contains("built-in rules"), "\(text)")
            #expect(!text.contains("SIGHUP"), "\(text)")
        }
        #expect(daemon.contains("no-files daemon unix:/run/milter/milter.sock --threads 4"), "\(daemon)")

        let rulesRoot = Self.help(arguments: ["--help"], configuration: Self.rules)
        let rulesDaemon = Self.help(arguments: ["daemon", "--help"], configuration: Self.rules)
        #expect(rulesRoot.contains("check-config") && rulesRoot.contains("--config rules.txt"), "\(rulesRoot)")
        #expect(rulesDaemon.contains("--config <config>"), "\(rulesDaemon)")
        #expect(rulesDaemon.contains("SIGHUP re-reads the --config file"), "\(rulesDaemon)")
        // --metrics-wait states its default once, with its reason (it also read "(default: 60.0)" after it).
        #expect(
            rulesDaemon.contains("the longest the daemon it replaces holds the port before it is killed). "),
            "\(rulesDaemon)")
        #expect(!rulesDaemon.contains("(default: 60.0)"), "\(rulesDaemon)")
        // 60 is the sum of reload-proxy's defaults, 30 each (it read "--ready-timeout and --stop-timeout").
        #expect(
            rulesDaemon.contains("(default 60: reload-proxy's default --ready-timeout plus --stop-timeout,"),
            "\(rulesDaemon)")

        // The defaults shown are the program's server defaults (MilterConfiguration.server).
        let configured = MilterConfiguration(
            name: "configured", classifier: Recorder(), server: ConfiguredServerTests.server)
        let configuredDaemon = Self.help(arguments: ["daemon", "--help"], configuration: configured)
        #expect(configuredDaemon.contains("1 to 256 (default: 7)"), "\(configuredDaemon)")
        #expect(configuredDaemon.contains("0.001 to 86400 (default: 2.5)"), "\(configuredDaemon)")
        #expect(configuredDaemon.contains("(default: reject, the program's)"), "\(configuredDaemon)")
        #expect(daemon.contains("1 to 256 (default: 1)") && daemon.contains("(default: tempfail)"), "\(daemon)")
    }
}
