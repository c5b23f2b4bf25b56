/// One self-contained HTML file: inline CSS and SVG, no scripts, no fonts, nothing fetched (a
/// Content-Security-Policy forbids it), readable offline and safe to attach to a CI run.
package struct HTMLReport: Sendable {
    package var title: String
    package var sections: [ReportSection]

    package init(title: String, sections: [ReportSection] = []) {
        self.title = title
        self.sections = sections
    }

    /// The whole document.
    package func render() -> String {
        var html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTMLText.escape(title))</title>
            <style>\(Self.style)</style>
            </head>
            <body>
            <h1>\(HTMLText.escape(title))</h1>

            """
        for section in sections { html += Self.render(section) }
        return html + "</body>\n</html>\n"
    }

    private static func render(_ section: ReportSection) -> String {
        switch section {
        case .facts(let title, let pairs):
            let rows = pairs.map { "<tr><th>\(HTMLText.escape($0.0))</th><td>\(HTMLText.escape($0.1))</td></tr>" }
            return
                "<section><h2>\(HTMLText.escape(title))</h2><table class=\"facts\">\(rows.joined())</table></section>\n"
        case .lineChart(let chart):
            return "<section><h2>\(HTMLText.escape(chart.title))</h2>\n\(SVGLineChart.render(chart))</section>\n"
        case .bars(let title, let bars):
            return "<section><h2>\(HTMLText.escape(title))</h2>\n\(SVGBarChart.render(title: title, bars))</section>\n"
        case .table(let title, let headers, let rows):
            let head = headers.map { "<th>\(HTMLText.escape($0))</th>" }.joined()
            let body = rows.map { row in
                let cells = row.cells.map { "<td>\(HTMLText.escape($0))</td>" }.joined()
                return row.status.isEmpty
                    ? "<tr>\(cells)</tr>" : "<tr class=\"\(HTMLText.escape(row.status))\">\(cells)</tr>"
            }
            return """
                <section><h2>\(HTMLText.escape(title))</h2><table class="rows"><thead><tr>\(head)</tr></thead>\
                <tbody>\(body.joined(separator: "\n"))</tbody></table></section>

                """
        case .note(let text):
            return "<p class=\"note\">\(HTMLText.escape(text))</p>\n"
        }
    }

    private static let style = """
        body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}\
        h1{font-size:22px}h2{font-size:17px;margin-top:28px}\
        table{border-collapse:collapse}th,td{padding:3px 10px;text-align:left;vertical-align:top}\
        table.facts th{color:#555;font-weight:normal}table.rows thead th{border-bottom:1px solid #999}\
        table.rows td{border-bottom:1px solid #eee;font-family:ui-monospace,monospace;font-size:12px}\
        tr.pass td:last-child{color:#2ca02c}tr.fail td{background:#fde8e8}tr.skip td{color:#888}\
        svg .plot{fill:#fafafa;stroke:#999}svg .grid{stroke:#e3e3e3}svg .tick,svg .legend{font-size:11px;fill:#444}\
        svg .axis{font-size:12px;fill:#222}.note{color:#555}
        """
}
