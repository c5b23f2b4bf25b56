/// Month names and zone abbreviations seen in mail dates.
enum DateNames {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// The month number for a lowercased month name or abbreviation (`jan`, `january`, `sept`).
    static func month(_ word: String) -> Int? {
        guard word.count >= 3 else { return nil }
        guard let index = months.firstIndex(of: String(word.prefix(3))) else { return nil }
        return index + 1
    }

    /// The offset in minutes for a lowercased zone name (RFC 5322 obs-zone and a few common ones).
    static func zoneOffset(_ word: String) -> Int? {
        if let hours = zones[word] { return hours * 60 }
        guard word.count == 1, let letter = word.utf8.first, letter != 0x6A, letter != 0x74 else { return nil }
        // `t` is the ISO 8601 date/time separator, not a zone. Military zones are ambiguous in
        // practice; RFC 5322 says to read them as +0000.
        return 0
    }

    private static let zones: [String: Int] = [
        "ut": 0, "utc": 0, "gmt": 0, "z": 0, "wet": 0, "bst": 1, "cet": 1, "met": 1, "cest": 2, "eet": 2,
        "eest": 3, "msk": 3, "ist": 5, "jst": 9, "kst": 9, "hkt": 8, "aest": 10, "edt": -4, "est": -5, "cdt": -5,
        "cst": -6, "mdt": -6, "mst": -7, "pdt": -7, "pst": -8, "akst": -9, "hst": -10,
    ]
}
