extension StringProtocol {
    /// The text without leading and trailing whitespace, found from both ends by index (no reversing).
    var trimmedWhitespace: String {
        guard let first = firstIndex(where: { !$0.isWhitespace }),
            let last = lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return String(self[first...last])
    }
}
