import MilterCapture

extension CaptureError {
    /// How `milter-replay` says this error of the capture at `path`: `PATH: DESCRIPTION`; a directory is
    /// `PATH: not a regular file`, as other inputs are, and standard input with nothing in it
    /// `standard input is empty` (`--pcap - < /dev/null`).
    func said(path: String) -> String {
        if kind == .empty { return path == "/dev/stdin" ? "standard input is empty" : "\(path): empty file" }
        return "\(path): \(self)"
    }
}
