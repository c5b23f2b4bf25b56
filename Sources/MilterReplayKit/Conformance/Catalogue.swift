/// Every conformance case: the scenarios of conformance/*.yaml (embedded in the binary by conformance/embed.sh)
/// and the few built-in ones, grouped by area in a fixed order.
package enum Catalogue {
    /// The areas, in the order they run and are listed.
    package static let areas = [
        "version", "macro", "abort", "session", "event", "header", "body", "connect", "unknown", "frame",
    ]

    package static let all: [ConformanceCase] = {
        var cases: [ConformanceCase] = []
        for (name, text) in CatalogueFiles.files {
            let path = "conformance/\(name)"
            do {
                cases += try ScenarioParser.parse(text, file: path).map { ConformanceCase($0, file: path) }
            } catch {
                preconditionFailure("the embedded catalogue does not parse: \(error)")
            }
        }
        cases += BuiltInCases.all
        return areas.flatMap { area in cases.filter { $0.area == area } }
    }()

    /// The case with this identifier.
    package static func named(_ id: String) -> ConformanceCase? { all.first { $0.id == id } }
}
