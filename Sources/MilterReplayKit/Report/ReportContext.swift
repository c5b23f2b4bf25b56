import MilterProtocol
import _MilterSystem

/// What every report names: the command line, the machine, and when.
package struct ReportContext: Sendable {
    package var commandLine: String
    package var machine: String
    package var started: String

    package init(commandLine: String, machine: String, started: String) {
        self.commandLine = commandLine
        self.machine = machine
        self.started = started
    }

    /// This process: its arguments, `uname` and the number of cores, and the current UTC time.
    package static func current() -> ReportContext {
        var names = utsname()
        _ = uname(&names)
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        let cores = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        let machine =
            "\(field(names.nodename)): \(field(names.sysname)) \(field(names.release)) \(field(names.machine)), \(cores) cores"
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let date = "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))"
        let started = "\(date) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) UTC"
        return ReportContext(
            commandLine: redactedCommandLine(CommandLine.arguments), machine: machine, started: started)
    }

    /// The options whose values are personal data: envelope addresses, a header field's value, a message body, a
    /// macro's value, the SMTP client's host name and its HELO name.
    private static let personalOptions: Set<String> = [
        "--from", "--rcpt", "--header", "--body", "--macro", "--client-name", "--helo",
    ]

    /// `arguments` joined, with the values of ``personalOptions`` shape-redacted (``Redaction``) as everywhere else
    /// in the output: a header keeps its name, a macro its stage and name, a body read from a file (`@FILE`) its
    /// path. Unless `--show-values` is among them.
    static func redactedCommandLine(_ arguments: [String]) -> String {
        guard !arguments.contains("--show-values") else { return arguments.joined(separator: " ") }
        var shown: [String] = []
        var pending: String?
        for argument in arguments {
            if let option = pending.take() {
                shown.append(redacted(argument, of: option))
                continue
            }
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                let option = String(argument[..<equals])
                if personalOptions.contains(option) {
                    shown.append(
                        option + "=" + redacted(String(argument[argument.index(after: equals)...]), of: option))
                    continue
                }
            }
            if personalOptions.contains(argument) { pending = argument }
            shown.append(argument)
        }
        return shown.joined(separator: " ")
    }

    private static func redacted(_ value: String, of option: String) -> String {
        switch option {
        case "--header":
            guard let colon = value.firstIndex(of: ":") else { return Redaction.excerpt(value.utf8) }
            return String(value[...colon]) + Redaction.excerpt(value[value.index(after: colon)...].utf8)
        case "--macro":
            guard let colon = value.firstIndex(of: ":"), let equals = value[colon...].firstIndex(of: "=") else {
                return Redaction.excerpt(value.utf8)
            }
            return String(value[...equals]) + Redaction.excerpt(value[value.index(after: equals)...].utf8)
        case "--body" where value.hasPrefix("@"): return value
        default: return Redaction.excerpt(value.utf8)
        }
    }

    var facts: [(String, String)] {
        [("command", commandLine), ("machine", machine), ("started", started)]
    }
}
