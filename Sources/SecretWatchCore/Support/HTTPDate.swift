import FoundationEssentials

/// HTTP dates (RFC 9110 §5.6.7's IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`), as `Retry-After` carries them.
enum HTTPDate {
    private static let weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// The date of `Www, DD Mon YYYY HH:MM:SS GMT` (names in any case, `UTC` as well as `GMT`); nil for anything
    /// else. A date before 1970 is the Unix epoch (it is past either way).
    static func parse(_ text: String) -> Date? {
        let words = text.split(separator: " ", omittingEmptySubsequences: false)
        guard words.count == 6, words[0].hasSuffix(","), weekdays.contains(words[0].dropLast().lowercased()),
              words[1].count == 2, let month = months.firstIndex(of: words[2].lowercased()),
              words[3].count == 4, words[3].allSatisfy(\.isASCII), let year = Int(words[3]),
              ["gmt", "utc"].contains(words[5].lowercased()) else { return nil }
        if year < Timestamps.years.lowerBound { return Date(timeIntervalSince1970: 0) }
        let iso = "\(words[3])-\(String(month + 1).leftPadded(to: 2))-\(words[1])T\(words[4])Z"
        guard words[4].count == 8 else { return nil }
        return Timestamps.parse(iso)
    }
}
