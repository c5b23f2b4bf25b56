/// The terminal report: the cases grouped by area, one line each, a count per area and in all.
package enum ConformanceTable {
    /// The table of `results`, with a last line when a signal stopped the run (`interrupted`).
    package static func text(_ results: [ConformanceResult], asked: String, interrupted: Interrupted? = nil) -> String {
        var out = "milter asks for: \(asked)\n"
        for (area, group) in grouped(results) {
            let counts = Counts(group)
            out += "\n\(area): \(counts.summary)\n"
            let width = group.map(\.id.count).max() ?? 0
            for result in group {
                let id = pad(result.id, width)
                let label = result.status.isSkip ? "SKIP" : result.status.name.uppercased()
                out += "  \(label)  \(pad(result.severity.rawValue, 6))  \(id)  "
                out += result.status.reason ?? result.summary
                out += "\n"
            }
        }
        let counts = Counts(results)
        let mustFailures = results.filter(\.failsRun).count
        out +=
            "\n\(results.count) cases: \(counts.pass) pass, \(counts.fail) fail (\(mustFailures) must), \(counts.skip) skip"
        out += ", \(counts.notExercised) not exercised\n"
        if let interrupted { out += line(interrupted) + "\n" }
        return out
    }

    /// `interrupted by SIGINT: 40 cases not run`.
    static func line(_ interrupted: Interrupted) -> String {
        interrupted.line(unit: "cases", notDone: "not run", uncounted: "the rest was not run")
    }

    /// The results by area, areas in catalogue order.
    package static func grouped(_ results: [ConformanceResult]) -> [(String, [ConformanceResult])] {
        var areas: [String] = []
        var byArea: [String: [ConformanceResult]] = [:]
        for result in results {
            if byArea[result.area] == nil { areas.append(result.area) }
            byArea[result.area, default: []].append(result)
        }
        return areas.map { ($0, byArea[$0]!) }
    }

    package struct Counts: Sendable {
        package var pass = 0
        package var fail = 0
        package var skip = 0
        /// Cases an earlier verdict kept from the milter: skips of their own kind, not counted in ``skip``.
        package var notExercised = 0

        package init(_ results: [ConformanceResult]) {
            for result in results {
                switch result.status {
                case .pass: pass += 1
                case .fail: fail += 1
                case .skip: skip += 1
                case .notExercised: notExercised += 1
                }
            }
        }

        /// `3 pass, 1 fail, 2 skip, 4 not exercised`.
        var summary: String { "\(pass) pass, \(fail) fail, \(skip) skip, \(notExercised) not exercised" }
    }
}

/// `text` with spaces after it up to `width` characters.
func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}
