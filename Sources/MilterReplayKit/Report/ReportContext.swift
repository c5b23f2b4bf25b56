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
            commandLine: CommandLine.arguments.joined(separator: " "), machine: machine, started: started)
    }

    var facts: [(String, String)] {
        [("command", commandLine), ("machine", machine), ("started", started)]
    }
}
