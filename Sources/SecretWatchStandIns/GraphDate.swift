import Foundation

/// Graph's `DateTimeOffset` in UTC with milliseconds: `2027-03-01T12:00:00.123Z`.
enum GraphDate {
    static func string(_ date: Date) -> String {
        // Rounded to the millisecond, so a date read from `2027-03-01T12:00:00.123Z` is written back the same.
        let millisecondsSinceEpoch = (date.timeIntervalSince1970 * 1000).rounded()
        let wholeSeconds = (millisecondsSinceEpoch / 1000).rounded(.down)
        var seconds = time_t(wholeSeconds)
        let millis = Int(millisecondsSinceEpoch - wholeSeconds * 1000)
        var t = tm()
        gmtime_r(&seconds, &t)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday,
                      t.tm_hour, t.tm_min, t.tm_sec, millis)
    }

    /// `YYYY-MM-DDThh:mm:ss`, optional fraction, then `Z` or `±hh:mm`; nil for anything else.
    static func parse(_ text: String) -> Date? {
        let chars = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= chars.count else { return nil }
            var value = 0
            for c in chars[range] {
                guard (48...57).contains(c) else { return nil }
                value = value * 10 + Int(c - 48)
            }
            return value
        }
        func char(_ i: Int, _ c: Character) -> Bool { i < chars.count && chars[i] == c.asciiValue! }
        guard let year = number(0..<4), char(4, "-"), let month = number(5..<7), char(7, "-"), let day = number(8..<10),
              char(10, "T") || char(10, "t"), let hour = number(11..<13), char(13, ":"), let minute = number(14..<16), char(16, ":"),
              let second = number(17..<19), (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60
        else { return nil }
        var i = 19
        var fraction = 0.0
        if char(i, ".") {
            i += 1
            let start = i
            var digits = 0, scale = 1.0
            while i < chars.count, (48...57).contains(chars[i]) {
                // Graph writes up to 7 digits; beyond nanoseconds they cannot matter.
                if i - start < 9 {
                    digits = digits * 10 + Int(chars[i] - 48)
                    scale *= 10
                }
                i += 1
            }
            guard i > start else { return nil }
            fraction = Double(digits) / scale
        }
        var offset = 0
        if char(i, "Z") || char(i, "z") {
            i += 1
        } else if char(i, "+") || char(i, "-") {
            guard let h = number(i + 1..<i + 3), char(i + 3, ":"), let m = number(i + 4..<i + 6), h < 24, m < 60 else { return nil }
            offset = (h * 3600 + m * 60) * (char(i, "-") ? -1 : 1)
            i += 6
        } else {
            return nil
        }
        guard i == chars.count else { return nil }
        var t = tm()
        t.tm_year = Int32(year - 1900)
        t.tm_mon = Int32(month - 1)
        t.tm_mday = Int32(day)
        t.tm_hour = Int32(hour)
        t.tm_min = Int32(minute)
        t.tm_sec = Int32(second)
        let epoch = timegm(&t)
        // timegm normalises 31 February into March: such a date is not one.
        guard t.tm_mday == Int32(day), t.tm_mon == Int32(month - 1) else { return nil }
        return Date(timeIntervalSince1970: Double(epoch - offset) + fraction)
    }
}
