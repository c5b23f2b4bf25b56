extension HelpExamples {
    /// `milter-replay scenario`.
    static let scenario = """

        EXAMPLES:
          milter-replay scenario Examples/scenarios/reference-milter.yaml      # the embedded reference milter
          milter-replay scenario --target 127.0.0.1:7044 checks/*.yaml --junit scenarios.xml
          milter-replay scenario --target unix:/run/milter.sock --json --show-values spam.yaml

        """
}
