/// Draws counts as horizontal bars in inline SVG, the count written beside each bar.
enum SVGBarChart {
    static let colour = "#1f77b4"

    static func render(title: String, _ bars: [(label: String, count: Int)]) -> String {
        let rowHeight = 26.0
        let labelWidth = 220.0
        let barWidth = 440.0
        let height = Double(max(bars.count, 1)) * rowHeight + 10
        let largest = Double(max(bars.map(\.count).max() ?? 1, 1))
        var svg = """
            <svg class="bars" xmlns="http://www.w3.org/2000/svg" width="760" height="\(Int(height))" \
            viewBox="0 0 760 \(Int(height))" role="img" aria-label="\(HTMLText.escape(title))">

            """
        for (index, bar) in bars.enumerated() {
            let top = 5 + Double(index) * rowHeight
            let length = max(1, Double(bar.count) / largest * barWidth)
            svg += """
                <text class="tick" x="\(labelWidth - 8)" y="\(top + 14)" text-anchor="end">\(HTMLText.escape(bar.label))</text>\
                <rect x="\(labelWidth)" y="\(top + 3)" width="\(HTMLText.coordinate(length))" height="16" fill="\(colour)"/>\
                <text class="tick" x="\(HTMLText.coordinate(labelWidth + length + 6))" y="\(top + 14)">\(bar.count)</text>

                """
        }
        return svg + "</svg>\n"
    }
}
