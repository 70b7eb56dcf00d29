import Foundation

/// RFC 3339 / ISO 8601 formatting and parsing in UTC, shared by config, CLI, API and e-mails.
public enum Timestamps {
    /// `2027-03-01T12:00:00Z`
    /// (gmtime_r: Foundation's ISO 8601 style builds a calendar in the local time zone, which loads ICU's
    /// time-zone data, and it runs for every credential on every pass.)
    public static func rfc3339(_ date: Date) -> String {
        let t = utcFields(date)
        func pad(_ n: Int32, _ width: Int) -> String {
            let digits = String(n)
            return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
        }
        return "\(pad(t.tm_year + 1900, 4))-\(pad(t.tm_mon + 1, 2))-\(pad(t.tm_mday, 2))T" +
            "\(pad(t.tm_hour, 2)):\(pad(t.tm_min, 2)):\(pad(t.tm_sec, 2))Z"
    }

    /// The calendar fields of `date` in UTC (whole seconds, rounded down), from the C library.
    static func utcFields(_ date: Date) -> tm {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var t = tm()
        gmtime_r(&seconds, &t)
        return t
    }

    /// `2027-03-01`
    public static func day(_ date: Date) -> String {
        String(rfc3339(date).prefix(10))
    }

    /// The years `parse` accepts: a secret's expiry is never before the Unix epoch, and four digits end at 9999.
    public static let years: ClosedRange<Int> = 1970...9999

    /// Parses `YYYY-MM-DD` (midnight UTC) or an RFC 3339 time with `Z` or an offset, optional fractional seconds.
    /// Years outside `years` are nil (`isOutOfRange` tells them from text that is no date at all).
    public static func parse(_ text: String) -> Date? {
        parse(text, years: years)
    }

    /// Whether `text` is a well-formed date or time whose year is outside `years` (e.g. `0001-01-01`).
    public static func isOutOfRange(_ text: String) -> Bool {
        parse(text) == nil && parse(text, years: 0...9999) != nil
    }

    private static func parse(_ text: String, years: ClosedRange<Int>) -> Date? {
        let s = text.trimmingSpaces
        if s.count == 10, let date = parseDay(s, years: years) { return date }
        return parseDateTime(s, years: years)
    }

    private static func parseDay(_ s: String, years: ClosedRange<Int>) -> Date? {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]), years.contains(y) else { return nil }
        return makeDate(y, m, d, 0, 0, 0)
    }

    private static func parseDateTime(_ s: String, years: ClosedRange<Int>) -> Date? {
        // YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM|-HH:MM)
        let chars = Array(s)
        guard chars.count >= 20, chars[10] == "T" || chars[10] == "t" || chars[10] == " " else { return nil }
        guard let day = parseDay(String(chars[0..<10]), years: years) else { return nil }
        let time = String(chars[11..<19])
        let tp = time.split(separator: ":", omittingEmptySubsequences: false)
        guard tp.count == 3, tp.allSatisfy({ $0.count == 2 }),
              let hh = Int(tp[0]), let mm = Int(tp[1]), let ss = Int(tp[2]),
              (0...23).contains(hh), (0...59).contains(mm), (0...60).contains(ss) else { return nil }
        var rest = chars[19...]
        var fraction = 0.0
        if rest.first == "." {
            let digits = rest.dropFirst().prefix(while: { $0.isASCII && $0.isNumber })
            guard !digits.isEmpty, let f = Double("0." + String(digits)) else { return nil }
            fraction = f
            rest = rest.dropFirst(1 + digits.count)
        }
        var offset = 0
        let zone = String(rest)
        if zone == "Z" || zone == "z" {
            offset = 0
        } else if zone.count == 6, let sign = zone.first, sign == "+" || sign == "-" {
            let zp = zone.dropFirst().split(separator: ":", omittingEmptySubsequences: false)
            guard zp.count == 2, let oh = Int(zp[0]), let om = Int(zp[1]), oh <= 23, om <= 59 else { return nil }
            offset = (oh * 3600 + om * 60) * (sign == "-" ? -1 : 1)
        } else {
            return nil
        }
        return day.addingTimeInterval(Double(hh * 3600 + mm * 60 + ss) + fraction - Double(offset))
    }

    /// Midnight UTC plus the time, by arithmetic (days from the civil date, proleptic Gregorian): no calendar
    /// or time-zone database is loaded, and a date that does not exist (2027-02-30) is nil, not normalised.
    private static func makeDate(_ y: Int, _ m: Int, _ d: Int, _ hh: Int, _ mm: Int, _ ss: Int) -> Date? {
        guard (1...12).contains(m) else { return nil }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let monthLengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1...monthLengths[m - 1]).contains(d) else { return nil }
        // Howard Hinnant's days_from_civil: years start in March, so the leap day is the last day of a year.
        let year = m <= 2 ? y - 1 : y
        let era = year / 400
        let yearOfEra = year - era * 400
        let dayOfYear = (153 * ((m + 9) % 12) + 2) / 5 + d - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + hh * 3600 + mm * 60 + ss))
    }
}
