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

    /// A macro keeps its stage and name, the SMTP client's host name and HELO name are redacted whole.
    @Test func macroAndClientValuesAreRedacted() {
        let arguments = [
            "milter-replay", "--macro", "connect:{client_name}=home.alice.example", "--macro=mail:{auth_authen}=alice",
            "--client-name", "home.alice.example", "--helo=Alice-PC", "--client-addr", "192.0.2.7", "mail.eml",
        ]
        #expect(
            ReportContext.redactedCommandLine(arguments)
                == "milter-replay --macro connect:{client_name}=xxxx.xxxxx.xxxxxxx --macro=mail:{auth_authen}=xxxxx "
                + "--client-name xxxx.xxxxx.xxxxxxx --helo=xxxxx-xx --client-addr 192.0.2.7 mail.eml")
    }

    @Test func showValuesShowsThem() {
        let arguments = ["milter-replay", "--show-values", "--from", "a@example.org", "--report", "r.html"]
        #expect(ReportContext.redactedCommandLine(arguments) == arguments.joined(separator: " "))
    }
}
