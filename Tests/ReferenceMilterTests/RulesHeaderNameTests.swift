import ReferenceMilter
import Testing

/// Header names and indexes in rules: a name that would write a broken header line, or an index the protocol
/// cannot carry, is an error naming the line and column, never a modification sent as it stands or clamped.
@Suite struct RulesHeaderNameTests {
    @Test(arguments: [
        ("always => add-header \"\" \"y\", accept", 22, "a header name cannot be empty"),
        ("always => add-header \"X:Y\" \"y\"", 22, "\"X:Y\" is not a header name"),
        ("always => add-header \"X Y\" \"y\"", 22, "\"X Y\" is not a header name"),
        ("always => insert-header 0 \"X:\" \"y\"", 27, "\"X:\" is not a header name"),
        ("always => change-header \"\" \"y\"", 25, "a header name cannot be empty"),
        ("always => delete-header \"Caf\u{E9}\"", 25, "\"Caf\u{E9}\" is not a header name"),
        ("header \"Sub ject\" is \"x\" => accept", 8, "\"Sub ject\" is not a header name"),
    ])
    func badHeaderNamesAreRefused(text: String, column: Int, message: String) {
        do {
            let rules = try RuleParser.parse("# first line\n" + text)
            Issue.record("parsed: \(rules)")
        } catch {
            #expect(error.line == 2)
            #expect(error.column == column, "\(error)")
            #expect(error.message.contains(message), "\(error)")
        }
    }

    @Test func aControlCharacterInANameIsShownEscaped() {
        do {
            let rules = try RuleParser.parse("always => add-header \"X\u{1B}[2J\" \"y\"")
            Issue.record("parsed: \(rules)")
        } catch {
            #expect(error.message.hasPrefix("\"X\\x1B[2J\" is not a header name"), "\(error)")
        }
    }

    @Test(arguments: [
        ("always => insert-header -1 \"X\" \"y\"", 25, "the index -1 is out of range: 0 to 4294967295"),
        (
            "always => insert-header 9223372036854775807 \"X\" \"y\"", 25,
            "the index 9223372036854775807 is out of range: 0 to 4294967295"
        ),
        (
            "always => insert-header 99999999999999999999 \"X\" \"y\"", 25,
            "the index 99999999999999999999 is out of range: 0 to 4294967295"
        ),
        ("always => insert-header 4294967296 \"X\" \"y\"", 25, "the index 4294967296 is out of range: 0 to 4294967295"),
        ("always => change-header \"X\" \"y\" 0", 33, "the occurrence 0 is out of range: 1 to 4294967295"),
        ("always => delete-header \"X\" -3", 29, "the occurrence -3 is out of range: 1 to 4294967295"),
    ])
    func indexesOutOfRangeAreRefused(text: String, column: Int, message: String) {
        do {
            let rules = try RuleParser.parse(text)
            Issue.record("parsed: \(rules)")
        } catch {
            #expect(error.description == "line 1, column \(column): \(message)")
        }
    }

    @Test func validNamesAndTheEndsOfTheRangeParse() throws {
        let rules = try RuleParser.parse(
            """
            header "X-Spam-Flag" is "YES" => add-header "X-A_b.c!~" "v", insert-header 0 "X-Top" "1"
            always => insert-header 4294967295 "X-End" "2", change-header "Subject" "s" 4294967295, delete-header "X" 1
            """)
        #expect(
            rules.flatMap(\.modifications) == [
                .addHeader(name: "X-A_b.c!~", value: "v"), .insertHeader(index: 0, name: "X-Top", value: "1"),
                .insertHeader(index: 4_294_967_295, name: "X-End", value: "2"),
                .changeHeader(name: "Subject", occurrence: 4_294_967_295, value: "s"),
                .deleteHeader(name: "X", occurrence: 1),
            ])
    }
}
