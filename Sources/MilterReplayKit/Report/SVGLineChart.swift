/// Draws a ``LineChart`` as inline SVG: axes with ticks and labels, one polyline per series (a dot for a series of
/// one point), a legend.
enum SVGLineChart {
    static let width = 760.0
    static let height = 320.0
    private static let margin = (left: 70.0, right: 40.0, top: 20.0, bottom: 50.0)
    /// The series colours, in order; the report test looks for the first two in the screenshot.
    static let colours = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e"]
    /// The radius of the dot that stands for a series of one point: smaller for each later series, so that dots at
    /// the same place (a second's mean and maximum latency of one message) show as rings around each other.
    static func markerRadius(_ series: Int) -> Double { max(2, 7 - 3 * Double(series)) }

    static func render(_ chart: LineChart) -> String {
        let points = chart.series.flatMap(\.points)
        let xs = chart.xTicks.map { $0.map(\.x) } ?? []
        let xScale = ChartScale(
            minimum: (points.map(\.x) + xs).min() ?? 0, maximum: (points.map(\.x) + xs).max() ?? 1)
        let yScale = ChartScale(minimum: min(0, points.map(\.y).min() ?? 0), maximum: points.map(\.y).max() ?? 1)
        let plotWidth = width - margin.left - margin.right
        let plotHeight = height - margin.top - margin.bottom
        func x(_ value: Double) -> Double { margin.left + xScale.fraction(value) * plotWidth }
        func y(_ value: Double) -> Double { margin.top + (1 - yScale.fraction(value)) * plotHeight }

        var svg = """
            <svg class="chart" xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
            viewBox="0 0 \(Int(width)) \(Int(height))" role="img" aria-label="\(HTMLText.escape(chart.title))">
            <rect class="plot" x="\(margin.left)" y="\(margin.top)" width="\(plotWidth)" height="\(plotHeight)"/>

            """
        for tick in yScale.ticks {
            let position = HTMLText.coordinate(y(tick))
            svg += """
                <line class="grid" x1="\(margin.left)" x2="\(margin.left + plotWidth)" y1="\(position)" y2="\(position)"/>\
                <text class="tick" x="\(margin.left - 6)" y="\(position)" text-anchor="end" dominant-baseline="middle">\
                \(ChartScale.label(tick))</text>

                """
        }
        let xTickList = chart.xTicks ?? xScale.ticks.map { ($0, ChartScale.label($0)) }
        for (value, label) in xTickList {
            let position = HTMLText.coordinate(x(value))
            svg += """
                <line class="grid" x1="\(position)" x2="\(position)" y1="\(margin.top)" y2="\(margin.top + plotHeight)"/>\
                <text class="tick" x="\(position)" y="\(margin.top + plotHeight + 16)" text-anchor="middle">\
                \(HTMLText.escape(label))</text>

                """
        }
        svg += """
            <text class="axis" x="\(margin.left + plotWidth / 2)" y="\(height - 8)" text-anchor="middle">\
            \(HTMLText.escape(chart.xLabel))</text>
            <text class="axis" transform="translate(16 \(margin.top + plotHeight / 2)) rotate(-90)" \
            text-anchor="middle">\(HTMLText.escape(chart.yLabel))</text>

            """
        for (index, series) in chart.series.enumerated() {
            let colour = colours[index % colours.count]
            let path = series.points.map { "\(HTMLText.coordinate(x($0.x))),\(HTMLText.coordinate(y($0.y)))" }
            // A polyline of one point draws nothing (a run under a second has one per-second point): a dot instead.
            if series.points.count == 1, let point = series.points.first {
                svg += """
                    <circle class="series" cx="\(HTMLText.coordinate(x(point.x)))" \
                    cy="\(HTMLText.coordinate(y(point.y)))" r="\(markerRadius(index))" fill="\(colour)">\
                    <title>\(HTMLText.escape(series.name))</title></circle>

                    """
            }
            svg += """
                <polyline class="series" fill="none" stroke="\(colour)" stroke-width="2.5" \
                points="\(path.joined(separator: " "))"><title>\(HTMLText.escape(series.name))</title></polyline>
                <rect x="\(margin.left + 10 + Double(index) * 190)" y="\(margin.top + 8)" width="14" height="4" \
                fill="\(colour)"/><text class="legend" x="\(margin.left + 28 + Double(index) * 190)" \
                y="\(margin.top + 14)">\(HTMLText.escape(series.name))</text>

                """
        }
        return svg + "</svg>\n"
    }
}
