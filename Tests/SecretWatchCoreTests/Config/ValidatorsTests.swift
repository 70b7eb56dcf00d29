import Foundation
import Testing
@testable import SecretWatchCore

@Suite("Value checks, durations and timestamps")
struct ValidatorsTests {
    @Test func guids() {
        #expect(Validators.guid("0b5f6f2e-8a1c-4d4e-9f3a-6c2d1e0a7b91"))
        #expect(Validators.guid("0B5F6F2E-8A1C-4D4E-9F3A-6C2D1E0A7B91"))
        #expect(!Validators.guid("0b5f6f2e8a1c4d4e9f3a6c2d1e0a7b91"))
        #expect(!Validators.guid("0b5f6f2e-8a1c-4d4e-9f3a-6c2d1e0a7b9g"))
        #expect(!Validators.guid(""))
        #expect(!Validators.guid("０b5f6f2e-8a1c-4d4e-9f3a-6c2d1e0a7b91"), "full-width digits are not a GUID")
        #expect(!Validators.guid("0b5f6f2e-8a1c-4d4e-9f3a-6c2d1e0a7b91 "))
        #expect(!Validators.guid("0b5f6f2e-8a1c-4d4e-9f3a6-c2d1e0a7b91"))
    }

    @Test func emailAddresses() {
        #expect(Validators.emailAddress("ise-alerts@contoso.com"))
        #expect(Validators.emailAddress("first.last+tag@sub.contoso.co.uk"))
        #expect(!Validators.emailAddress("no-at-sign.contoso.com"))
        #expect(!Validators.emailAddress("a@b@contoso.com"))
        #expect(!Validators.emailAddress("a b@contoso.com"))
        #expect(!Validators.emailAddress("a@localhost"))
        #expect(!Validators.emailAddress("a@contoso.com\r\nBcc: x@evil.com"))
        #expect(!Validators.emailAddress("<a@contoso.com>"))
    }

    @Test func listenAddresses() {
        #expect(Validators.listenAddress("127.0.0.1:9465")! == ("127.0.0.1", 9465))
        #expect(Validators.listenAddress("[::1]:9465")! == ("::1", 9465))
        #expect(Validators.listenAddress("0.0.0.0:0")! == ("0.0.0.0", 0))
        #expect(Validators.listenAddress("localhost") == nil)
        #expect(Validators.listenAddress(":9465") == nil)
        #expect(Validators.listenAddress("127.0.0.1:99999") == nil)
    }

    @Test func durations() {
        #expect(DurationText.parse("90s") == 90)
        #expect(DurationText.parse("1h30m") == 5400)
        #expect(DurationText.parse("7d") == 604800)
        #expect(DurationText.parse("500ms") == 0.5)
        #expect(DurationText.parse("60") == nil)
        #expect(DurationText.parse("60 seconds") == nil)
        #expect(DurationText.parse("-5m") == nil)
        #expect(DurationText.format(5400) == "1h30m")
        #expect(DurationText.format(86400) == "1d")
    }

    @Test func trimmingSpacesMatchesFoundation() {
        for value in ["", " ", "a", "  a b\t", "\t\t", "\u{3000}x\u{00A0}", "x y", " é ", "\u{2003}\u{2003}"] {
            #expect(value.trimmingSpaces == value.trimmingCharacters(in: .whitespaces), "\(value.debugDescription)")
        }
    }

    @Test func timestamps() {
        #expect(Timestamps.rfc3339(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(Timestamps.parse("2027-03-01") == Date(timeIntervalSince1970: 1803859200))
        #expect(Timestamps.parse("2027-03-01T00:00:00Z") == Timestamps.parse("2027-03-01"))
        #expect(Timestamps.parse("2027-03-01T02:00:00+02:00") == Timestamps.parse("2027-03-01"))
        #expect(Timestamps.parse("2027-03-01T00:00:00.250Z") == Timestamps.parse("2027-03-01")!.addingTimeInterval(0.25))
        #expect(Timestamps.parse("2027-02-29") == nil)
        #expect(Timestamps.parse("2028-02-29") != nil)
        #expect(Timestamps.parse("2027-13-01") == nil)
        #expect(Timestamps.parse("2027-03-01T25:00:00Z") == nil)
        #expect(Timestamps.parse("2027-03-01T00:00:00") == nil)
        #expect(Timestamps.parse("tomorrow") == nil)
        #expect(Timestamps.day(Date.utc("2027-03-01T23:59:59Z")) == "2027-03-01")
        #expect(Timestamps.parse("2100-02-29") == nil && Timestamps.parse("2000-02-29") != nil)
        #expect(Timestamps.parse("1969-12-31") == nil && Timestamps.parse("2027-04-31") == nil)
    }

    /// The date arithmetic against the C library's calendar, for every day from 1970 to 2199.
    @Test func everyDayParsesToItsMidnight() {
        var mismatches: [String] = []
        for day in 0..<83_220 {
            var seconds = time_t(day * 86_400)
            var t = tm()
            gmtime_r(&seconds, &t)
            let text = String(format: "%04d-%02d-%02d", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday)
            let midnight = Date(timeIntervalSince1970: TimeInterval(day * 86_400))
            if Timestamps.parse(text) != midnight || Timestamps.day(midnight.addingTimeInterval(86_399.9)) != text
                || Timestamps.parse(Timestamps.rfc3339(midnight.addingTimeInterval(45_296))) != midnight.addingTimeInterval(45_296)
                || Timestamps.rfc3339(midnight.addingTimeInterval(45_296)) != text + "T12:34:56Z" {
                mismatches.append(text)
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    @Test func datesOutOfRangeAreToldApartFromNonDates() {
        #expect(Timestamps.parse("0001-01-01") == nil)
        #expect(Timestamps.isOutOfRange("0001-01-01"))
        #expect(Timestamps.isOutOfRange("1969-12-31T23:59:59Z"))
        #expect(!Timestamps.isOutOfRange("2027-02-30"), "a day that does not exist is not a date at all")
        #expect(!Timestamps.isOutOfRange("next year"))
        #expect(Timestamps.parse("2027-+1-01") == nil, "a signed month is not a date")
        #expect(Timestamps.parse("9999-12-31") != nil && Timestamps.parse("1970-01-01") != nil)
    }
}
