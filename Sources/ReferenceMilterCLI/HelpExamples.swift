/// The examples that end each subcommand's `--help` (ArgumentParser has no epilogue, so the command line appends
/// them), with the binary's own name.
enum HelpExamples {
    /// The examples for the help that `arguments` ask for: the subcommand named in them, else the root's.
    /// Examples with `--config` and `check-config` only when `takesFile`.
    static func text(for arguments: [String], name: String, takesFile: Bool = true) -> String {
        let subcommand = arguments.first { ["daemon", "test", "dump", "check-config"].contains($0) }
        var lines: [String]
        switch subcommand {
        case "daemon":
            lines = [
                "\(name) daemon                                  # 127.0.0.1:7044"
                    + (takesFile ? ", the built-in rules" : ""),
                "\(name) daemon unix:/run/milter/milter.sock --config rules.txt --threads 4",
                "\(name) daemon '[::1]:7044' --log-format json --drain-timeout 30",
                "kill -HUP $(pidof \(name))                      # re-read --config",
            ]
        case "test":
            lines = [
                "\(name) test mail.eml                           # exit status: the verdict",
                "\(name) test --config rules.txt --json mail.eml alice@example.org bob@example.org",
                "\(name) test - < mail.eml                       # the message on standard input",
            ]
        case "dump":
            lines = [
                "\(name) dump mail.eml                           # headers, then each part",
                "\(name) dump -H mail.eml                        # headers only",
                "\(name) dump -b --html mail.eml                 # body parts, HTML as text",
            ]
        case "check-config":
            lines = [
                "\(name) check-config rules.txt                  # exit 0 if it loads, else 2 and the error",
                "\(name) check-config --print-builtin > rules.txt",
            ]
        default:
            lines = [
                "\(name) daemon --config rules.txt               # serve Postfix or Sendmail",
                "\(name) test mail.eml                           # one message through the protocol",
                "\(name) dump mail.eml                           # what a classifier sees",
                "\(name) check-config rules.txt                  # check a rules file",
            ]
        }
        if !takesFile {
            lines = lines.filter { !$0.contains("--config") && !$0.contains("check-config") }
            switch subcommand {
            case nil: lines.insert("\(name) daemon                                  # serve Postfix or Sendmail", at: 0)
            case "daemon": lines.insert("\(name) daemon unix:/run/milter/milter.sock --threads 4", at: 1)
            default: break
            }
        }
        guard !lines.isEmpty else { return "" }
        return "\nEXAMPLES:\n" + lines.map { "  " + $0 + "\n" }.joined()
    }
}
