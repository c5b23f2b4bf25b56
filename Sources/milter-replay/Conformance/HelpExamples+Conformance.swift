extension HelpExamples {
    /// `milter-replay conformance`.
    static let conformance = """

        EXAMPLES:
          milter-replay conformance --target 127.0.0.1:7044                  # the table by area; exit 1 if a must case fails
          milter-replay conformance --target unix:/run/milter.sock --mta sendmail --junit conformance.xml
          milter-replay conformance --target 127.0.0.1:7044 --only abort event.header-nr --json
          milter-replay conformance --target 127.0.0.1:8891 --start "opendkim -f -x opendkim.conf"
          milter-replay conformance --list --markdown > docs/conformance-cases.md

        """
}
