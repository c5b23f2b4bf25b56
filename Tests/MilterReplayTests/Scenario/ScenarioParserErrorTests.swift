import MilterReplayKit
import Testing

/// A scenario with a mistake is refused with the file, line and column of the mistake, and words that say
/// what to write instead.
struct ScenarioParserErrorTests {
    struct Case: Sendable, CustomStringConvertible {
        let text: String
        let line: Int
        let column: Int
        let words: [String]
        var description: String { words.joined(separator: " ") }
    }

    static let cases: [Case] = [
        Case(
            text: "steps:\n  - connect\n  - mial: a@example.org\n", line: 3, column: 5,
            words: ["unknown key 'mial'", "mail", "rcpt"]),
        Case(
            text: "id: x\nstep:\n  - connect\n", line: 2, column: 1,
            words: ["unknown key 'step'", "steps", "sessions"]),
        Case(
            text: "steps:\n  - rcpt: b@example.org\n    expect: {verdict: rejected}\n", line: 3, column: 23,
            words: ["unknown verdict 'rejected'", "continue, accept, reject, tempfail, discard, skip, none"]),
        Case(
            text: "steps:\n  - eom:\n    expect: {verdict: continue}\n", line: 3, column: 23,
            words: ["unknown verdict 'continue'", "accept, reject, tempfail, discard, quarantine"]),
        Case(
            text: "negotiate: {version: six}\nsteps: [connect]\n", line: 1, column: 22,
            words: ["'version': expected a whole number"]),
        Case(
            text: "negotiate: {actions: [ADDHDRS, ADDHEADERS]}\nsteps: [connect]\n", line: 1, column: 32,
            words: ["unknown flag 'ADDHEADERS'", "ADDHDRS", "CHGFROM"]),
        Case(
            text: "steps:\n  - connect: {family: ipx}\n", line: 2, column: 23,
            words: ["unknown value 'ipx'", "inet, inet6, unix, unknown"]),
        Case(
            text: "steps:\n  - data: yes\n", line: 2, column: 11, words: ["the 'data' step takes no value"]),
        Case(text: "steps:\n  - mail\n", line: 2, column: 5, words: ["the 'mail' step needs a value"]),
        Case(
            text: "steps:\n  - quit\n  - connect\n", line: 3, column: 5, words: ["nothing may follow 'quit'"]),
        Case(
            text: "steps:\n  - raw: {hex: '00 00 00 01'}\n  - helo\n", line: 3, column: 5,
            words: ["only 'raw', 'listen' or 'quit' may follow a 'raw' step"]),
        Case(
            text: "steps:\n  - helo\n    expect: {closes: true}\n", line: 3, column: 11,
            words: ["YAML syntax"]),
        Case(
            text: "steps:\n  - helo:\n    expect: {closes: true}\n", line: 3, column: 22,
            words: ["'closes' belongs on a 'raw' step"]),
        Case(
            text: "steps:\n  - rcpt: b@x\n    expect: {modifications: [{add-header: {name: X}}]}\n", line: 3,
            column: 29, words: ["'modifications' belongs on 'eom', 'abort' or 'message'"]),
        Case(
            text: "steps:\n  - eom:\n    expect: {modifications: [{add-headr: {name: X}}]}\n", line: 3,
            column: 31, words: ["unknown key 'add-headr'", "add-header", "replace-body"]),
        Case(
            text: "steps:\n  - eom:\n    expect: {reply: {code: 55}}\n", line: 3, column: 28,
            words: ["55 is out of range 200...599"]),
        Case(
            text: "steps:\n  - eom:\n    expect: {reply: {text: {matches: '(unclosed'}}}\n", line: 3,
            column: 38, words: ["not a valid regular expression"]),
        Case(
            text: "steps:\n  - body: {eml: no-such-file.eml}\n", line: 2, column: 17,
            words: ["cannot read", "no-such-file.eml"]),
        // A directory or a device is refused where it is named, as a missing file is, not when the case runs
        // (an ERROR of the case, exit 1).
        Case(
            text: "steps:\n  - body: {file: /tmp}\n", line: 2, column: 18,
            words: ["cannot read '/tmp': not a regular file"]),
        Case(
            text: "steps:\n  - headers: {eml: /dev/null}\n", line: 2, column: 20,
            words: ["cannot read '/dev/null': not a regular file"]),
        Case(
            text: "severity: may\nsteps: [connect]\n", line: 1, column: 11,
            words: ["unknown value 'may'", "must, should"]),
        Case(
            text: "mta: exim\nsteps: [connect]\n", line: 1, column: 6,
            words: ["unknown MTA 'exim'", "postfix, sendmail"]),
        Case(text: "id: x\n", line: 1, column: 1, words: ["neither 'steps' nor 'sessions'"]),
        Case(
            text: "steps:\n  - connect\n  - helo: a\n    helo: b\n", line: 3, column: 5, words: ["'helo'", "twice"]),
    ]

    @Test(arguments: cases)
    func aMistakeIsReportedAtItsPlace(_ example: Case) throws {
        do {
            let scenarios = try ScenarioParser.parse(example.text, file: "case.yaml")
            Issue.record("parsed \(scenarios.count) scenario(s) without error")
        } catch {
            #expect(error.location.file == "case.yaml")
            #expect(
                (error.location.line, error.location.column) == (example.line, example.column), "\(error)")
            for word in example.words { #expect(error.description.contains(word), "\(error)") }
            #expect(error.description.hasPrefix("case.yaml:\(error.location.line):\(error.location.column): "))
        }
    }
}
