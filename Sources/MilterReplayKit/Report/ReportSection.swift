/// One part of an ``HTMLReport``.
package enum ReportSection: Sendable {
    /// Name and value pairs, such as the command line and the machine.
    case facts(title: String, [(String, String)])
    /// A line chart.
    case lineChart(LineChart)
    /// Horizontal bars with counts, such as verdicts.
    case bars(title: String, [(label: String, count: Int)])
    /// A table; `status` colours a row (`pass`, `fail`, `skip` or empty).
    case table(title: String, headers: [String], rows: [(cells: [String], status: String)])
    /// A paragraph of text.
    case note(String)
}

/// A chart of one or more series of points.
package struct LineChart: Sendable {
    /// One line.
    package struct Series: Sendable {
        package var name: String
        package var points: [(x: Double, y: Double)]

        package init(name: String, points: [(x: Double, y: Double)]) {
            self.name = name
            self.points = points
        }
    }

    package var title: String
    package var xLabel: String
    package var yLabel: String
    package var series: [Series]
    /// Labels for x positions instead of numbers (for a percentile axis drawn on a log scale).
    package var xTicks: [(x: Double, label: String)]?

    package init(
        title: String, xLabel: String, yLabel: String, series: [Series], xTicks: [(x: Double, label: String)]? = nil
    ) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.xTicks = xTicks
    }
}
