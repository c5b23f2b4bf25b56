import Testing

@testable import MilterReplayKit

/// The command line a report shows has the envelope addresses, header values and body text it was given
/// shape-redacted, as every other output redacts them, unless `--show-values`.
@Suite struct ReportCommandLineTests {
    @Test func personalValuesAreRedacted() {
        let arguments = [
            "milter-replay", "--target", "127.0.0.1:7044", "--from", "secret.person@example.org",
            "--rcpt=other.person@example.net", "--header", "Subject: Private matter", "--body", "Hello Alice",
            "--body=@/tmp/body.txt", "--report", "r.html", "mail.eml",
        ]
        let shown = ReportContext.redactedCommandLine(arguments)
        #expect(
            shown
                == "milter-replay --target 127.0.0.1:7044 --from xxxxxx.xxxxxx@xxxxxxx.xxx --rcpt=xxxxx.xxxxxx@xxxxxxx.xxx "
                + "--header Subject: xxxxxxx xxxxxx --body xxxxx xxxxx --body=@/tmp/body.txt --report r.html mail.eml")
    }

    @Test func showValuesShowsThem() {
        let arguments = ["milter-replay", "--show-values", "--from", "a@example.org", "--report", "r.html"]
        #expect(ReportContext.redactedCommandLine(arguments) == arguments.joined(separator: " "))
    }
}
