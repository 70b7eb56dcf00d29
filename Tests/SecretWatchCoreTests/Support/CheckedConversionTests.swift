import Foundation
import Testing
@testable import SecretWatchCore

@Suite("Checked conversions of seconds")
struct CheckedConversionTests {
    @Test func secondsToSleepNanosecondsAreChecked() {
        #expect(CheckedConversion.sleepNanoseconds(2) == 2_000_000_000)
        #expect(CheckedConversion.sleepNanoseconds(-1) == 0 && CheckedConversion.sleepNanoseconds(.nan) == 0)
        #expect(CheckedConversion.sleepNanoseconds(300_000 * 86400) == .max)
    }

    @Test func durationsNoIntHoldsAreFormattedWithoutATrap() {
        #expect(DurationText.format(9.3e18) == "9.3e+18s")
        #expect(DurationText.format(.infinity) == "infs")
        #expect(DurationText.format(110_000_000_000 * 86400).hasSuffix("s"))
    }
}
