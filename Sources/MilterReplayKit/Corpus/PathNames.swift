/// The few path manipulations the CLI needs, on plain strings (as NSString offered them), without Foundation.
extension String {
    /// The part after the last `/`, trailing slashes ignored: `a/b.eml` gives `b.eml`, `/` gives `/`.
    package var lastPathComponent: String {
        let trimmed = trimmingTrailingSlashes
        guard let slash = trimmed.lastIndex(of: "/") else { return trimmed }
        return trimmed == "/" ? "/" : String(trimmed[trimmed.index(after: slash)...])
    }

    /// The part before the last `/`, trailing slashes ignored: `a/b.eml` gives `a`, `b.eml` gives an empty string
    /// and `/b.eml` gives `/`.
    package var deletingLastPathComponent: String {
        let trimmed = trimmingTrailingSlashes
        guard let slash = trimmed.lastIndex(of: "/") else { return "" }
        return slash == trimmed.startIndex ? "/" : String(trimmed[..<slash]).trimmingTrailingSlashes
    }

    /// `component` under this directory; the component alone when this is empty.
    package func appendingPathComponent(_ component: String) -> String {
        if isEmpty { return component }
        return hasSuffix("/") ? self + component : self + "/" + component
    }

    /// The path with empty and `.` components dropped and each `name/..` pair removed, without looking at the
    /// file system: `./a//b/../c.eml` gives `a/c.eml`. A `..` that leads above the start of a relative path stays.
    package var lexicallyNormalizedPath: String {
        let absolute = hasPrefix("/")
        var kept: [Substring] = []
        for component in split(separator: "/") where component != "." {
            if component == "..", let last = kept.last, last != ".." {
                kept.removeLast()
            } else if component != ".." || !absolute {
                kept.append(component)
            }
        }
        let joined = kept.joined(separator: "/")
        return absolute ? "/" + joined : joined
    }

    private var trimmingTrailingSlashes: String {
        var trimmed = self[...]
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        return String(trimmed)
    }
}
