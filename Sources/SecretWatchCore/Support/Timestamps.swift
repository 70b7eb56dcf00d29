import Foundation

/// RFC 3339 / ISO 8601 formatting and parsing in UTC, shared by config, CLI, API and e-mails.
public enum Timestamps {
    /// `2027-03-01T12:00:00Z`
    public static func rfc3339(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false)
            .timeSeparator(.colon).timeZone(separator: .omitted))
            .replacingOccurrences(of: "+0000", with: "Z")
    }

    /// `2027-03-01`
    public static func day(_ date: Date) -> String {
        String(rfc3339(date).prefix(10))
    }

    /// Parses `YYYY-MM-DD` (midnight UTC) or an RFC 3339 time with `Z` or an offset, optional fractional seconds.
    public static func parse(_ text: String) -> Date? {
        let s = text.trimmingCharacters(in: .whitespaces)
        if s.count == 10, let date = parseDay(s) { return date }
        return parseDateTime(s)
    }

    private static func parseDay(_ s: String) -> Date? {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        return makeDate(y, m, d, 0, 0, 0)
    }

    private static func parseDateTime(_ s: String) -> Date? {
        // YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM|-HH:MM)
        let chars = Array(s)
        guard chars.count >= 20, chars[10] == "T" || chars[10] == "t" || chars[10] == " " else { return nil }
        guard let day = parseDay(String(chars[0..<10])) else { return nil }
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

    private static func makeDate(_ y: Int, _ m: Int, _ d: Int, _ hh: Int, _ mm: Int, _ ss: Int) -> Date? {
        guard (1...12).contains(m), (1...31).contains(d), (1970...9999).contains(y) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: y, month: m, day: d, hour: hh, minute: mm, second: ss)
        guard let date = calendar.date(from: components) else { return nil }
        // Reject dates that the calendar normalised (2027-02-30 → 2027-03-02).
        let back = calendar.dateComponents([.year, .month, .day], from: date)
        guard back.year == y, back.month == m, back.day == d else { return nil }
        return date
    }
}
