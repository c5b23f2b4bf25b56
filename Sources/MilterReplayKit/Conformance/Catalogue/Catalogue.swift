/// Every conformance case, in the order they run and are listed.
package enum Catalogue {
    package static let all: [ConformanceCase] =
        versionCases + macroCases + abortCases + sessionCases + eventCases + headerCases + bodyCases + connectCases
        + unknownCases + frameCases

    /// The case with this identifier.
    package static func named(_ id: String) -> ConformanceCase? { all.first { $0.id == id } }

    /// Sources cited by several cases.
    enum Source {
        static let engine = "libmilter engine.c (the command dispatch and its states)"
        static let milter8 = "Postfix src/milter/milter8.c"
        static let sendmail = "Sendmail sendmail/milter.c"
        static func pitfall(_ number: Int) -> String { "PROTOCOL.md §G pitfall \(number)" }
    }
}
