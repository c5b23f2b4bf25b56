import MilterProtocol
import Testing

@testable import ReferenceMilter

/// ``MacroValues``, the macros of one MACRO packet or stage: names without braces, each once, a later duplicate
/// winning, whether the packet is scanned (16 pairs or fewer) or goes through a dictionary (more); equal and hashed
/// alike whatever the order of the pairs.
@Suite struct MacroValuesTests {
    /// A MAIL stage MACRO payload of `pairs`, names as sent.
    private static func definition(_ pairs: [(String, String)]) -> MacroDefinition {
        MacroDefinition(
            stage: .mail,
            macros: pairs.map { MacroDefinition.Macro(name: MilterString($0.0), value: MilterString($0.1)) })
    }

    /// What the packet means: braces stripped, the last value of each name.
    private static func meaning(_ pairs: [(String, String)]) -> [String: String] {
        var values: [String: String] = [:]
        for (name, value) in pairs { values[MacroTable.normalize(name)] = value }
        return values
    }

    @Test func theOrderOfThePairsDoesNotMatter() {
        let forward = MacroValues(Self.definition([("i", "Q1"), ("{auth_type}", "PLAIN"), ("{mail_addr}", "a@b")]))
        let backward = MacroValues(Self.definition([("{mail_addr}", "a@b"), ("{auth_type}", "PLAIN"), ("i", "Q1")]))
        #expect(forward.pairs != backward.pairs)
        #expect(forward == backward)
        #expect(forward.hashValue == backward.hashValue)
        #expect(Set([forward, backward]).count == 1)
        let literal: MacroValues = ["auth_type": "PLAIN", "i": "Q1", "mail_addr": "a@b"]
        #expect(forward == literal)
        #expect(forward == MacroValues(["mail_addr": "a@b", "i": "Q1", "auth_type": "PLAIN"]))
    }

    @Test func aDifferentValueOrAnotherNameIsNotEqual() {
        let values = MacroValues(Self.definition([("i", "Q1"), ("{auth_type}", "PLAIN")]))
        #expect(values != MacroValues(Self.definition([("i", "Q2"), ("{auth_type}", "PLAIN")])))
        #expect(values != MacroValues(Self.definition([("i", "Q1")])))
        #expect(values != MacroValues(Self.definition([("i", "Q1"), ("{auth_type}", "PLAIN"), ("j", "mx")])))
        #expect(values != MacroValues())
    }

    /// A name sent twice in a packet, with or without braces: the later value wins, in the first one's place; the
    /// name is there once.
    @Test func aLaterDuplicateWinsInAScannedPacket() {
        let values = MacroValues(Self.definition([("i", "Q1"), ("j", "mx"), ("{i}", "Q2"), ("k", "x"), ("i", "Q3")]))
        #expect(values.pairs.map(\.name) == ["i", "j", "k"])
        #expect(values["i"] == "Q3")
        #expect(values.dictionary == ["i": "Q3", "j": "mx", "k": "x"])
    }

    /// Packets of 15, 16, 17 and 40 pairs (more than 16 go through a dictionary), with names repeated and a long
    /// name sent with and without braces: the same meaning either way, each name once.
    @Test(arguments: [15, 16, 17, 40])
    func everySizeMeansTheSame(count: Int) {
        var pairs = (0..<count - 3).map { ("{m\($0)}", "v\($0)") }
        pairs += [("m1", "again"), ("{m0}", "last"), ("m1", "final")]
        let values = MacroValues(Self.definition(pairs))
        let meaning = Self.meaning(pairs)
        #expect(values.dictionary == meaning)
        #expect(values.pairs.count == meaning.count)
        #expect(Set(values.pairs.map(\.name)).count == values.pairs.count)
        #expect(values["m0"] == "last")
        #expect(values["m1"] == "final")
        #expect(values["{m0}"] == nil)
        #expect(values == MacroValues(meaning))
    }

    /// The dictionary view, the literal (a later duplicate wins there too), and no macros.
    @Test func theDictionaryViewAndTheLiteral() {
        let values = MacroValues(
            Self.definition([("{daemon_name}", "mx"), ("{j}", "host"), ("_", "client [1.2.3.4]")]))
        #expect(values.dictionary == ["daemon_name": "mx", "j": "host", "_": "client [1.2.3.4]"])
        #expect(values["daemon_name"] == "mx")
        #expect(!values.isEmpty)
        let literal = MacroValues(dictionaryLiteral: ("i", "Q1"), ("i", "Q2"))
        #expect(literal.dictionary == ["i": "Q2"])
        #expect(MacroValues().isEmpty)
        #expect(MacroValues().dictionary.isEmpty)
        #expect(MacroValues(Self.definition([])) == MacroValues())
        #expect(MacroValues([:]) == MacroValues())
    }
}
