/// A place in a scenario file: `FILE:LINE:COLUMN`, both counted from 1.
package struct ScenarioLocation: Hashable, Sendable, CustomStringConvertible {
    /// The file as it was named.
    package var file: String
    /// The line, from 1; 0 when unknown.
    package var line: Int
    /// The column, from 1; 0 when unknown.
    package var column: Int

    package init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `FILE:LINE:COLUMN`, or `FILE` when the place is unknown.
    package var description: String { line > 0 ? "\(file):\(line):\(column)" : file }
}
