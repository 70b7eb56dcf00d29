import FoundationEssentials
import Glibc

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
        var s = text.trimmingSpaces
        // Byte by byte: discovery parses two dates per credential, 40,000 in a pass over 10,000 apps.
        return s.withUTF8 { b in
            if b.count == 10, let date = parseDay(b, years: years) { return date }
            return parseDateTime(b, years: years)
        }
    }

    /// The ASCII digits `b[from..<from+count]` as a number; nil when one is not a digit.
    private static func number(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ count: Int) -> Int? {
        var value = 0
        for i in from..<(from + count) {
            let c = b[i]
            guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(c - UInt8(ascii: "0"))
        }
        return value
    }

    /// `YYYY-MM-DD` in the first ten bytes.
    private static func parseDay(_ b: UnsafeBufferPointer<UInt8>, years: ClosedRange<Int>) -> Date? {
        guard b.count >= 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              let y = number(b, 0, 4), let m = number(b, 5, 2), let d = number(b, 8, 2), years.contains(y) else { return nil }
        return makeDate(y, m, d, 0, 0, 0)
    }

    private static func parseDateTime(_ b: UnsafeBufferPointer<UInt8>, years: ClosedRange<Int>) -> Date? {
        // YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM|-HH:MM)
        guard b.count >= 20, b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t") || b[10] == UInt8(ascii: " ") else { return nil }
        guard let day = parseDay(b, years: years), b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
              let hh = number(b, 11, 2), let mm = number(b, 14, 2), let ss = number(b, 17, 2),
              (0...23).contains(hh), (0...59).contains(mm), (0...60).contains(ss) else { return nil }
        var i = 19
        var fraction = 0.0
        if b[i] == UInt8(ascii: ".") {
            let first = i + 1
            var end = first
            while end < b.count, b[end] >= UInt8(ascii: "0"), b[end] <= UInt8(ascii: "9") { end += 1 }
            let count = end - first
            guard count > 0 else { return nil }
            if count <= 15, let digits = number(b, first, count) {
                // Both exact in a Double, so the quotient is the correctly rounded value of "0.<digits>".
                fraction = Double(digits) / pow(10, Double(count))
            } else {
                guard let f = Double("0." + String(decoding: UnsafeBufferPointer(rebasing: b[first..<end]), as: UTF8.self)) else { return nil }
                fraction = f
            }
            i = end
        }
        var offset = 0
        let zone = b.count - i
        if zone == 1, b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            offset = 0
        } else if zone == 6, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-"), b[i + 3] == UInt8(ascii: ":"),
                  let oh = number(b, i + 1, 2), let om = number(b, i + 4, 2), oh <= 23, om <= 59 {
            offset = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
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
        let length = m == 2 ? (leap ? 29 : 28) : (m == 4 || m == 6 || m == 9 || m == 11 ? 30 : 31)
        guard (1...length).contains(d) else { return nil }
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
