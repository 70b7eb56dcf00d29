import Foundation
import Logging
import Testing
import SecretWatchTesting
@testable import SecretWatchCore

/// Repeated identical log lines: the first is written, then at most one per interval, carrying how many were
/// held back; lines that differ in logger, level, message or metadata are counted apart.
@Suite struct LogRateLimiterTests {
    static let start = Date.utc("2027-01-01T00:00:00Z")

    struct Setup {
        let clock = ManualClock(now: LogRateLimiterTests.start)
        let sink = MemoryLogSink()
        let limiter: LogRateLimiter
        let logger: Logger

        init(interval: TimeInterval = 60, capacity: Int = 128, level: Logger.Level = .info) {
            limiter = LogRateLimiter(interval: interval, clock: clock, capacity: capacity)
            let sink = sink
            logger = Logger(label: "secretwatch.test") { KeyValueLogHandler(label: $0, level: level, sink: sink) }
        }

        func fail(_ error: String = "disk full", level: Logger.Level = .error) {
            logger.log(level: level, "cannot claim mail", metadata: ["error": "\(error)"], limitedBy: limiter)
        }
    }

    @Test func theFirstLineIsWrittenAndRepeatsWithinTheIntervalAreHeldBack() {
        let s = Setup()
        for _ in 0..<1000 { s.fail() }
        #expect(s.sink.lines.count == 1)
        #expect(s.sink.lines[0].contains(#"msg="cannot claim mail" error="disk full""#))
        #expect(!s.sink.lines[0].contains("repeated="))
    }

    @Test func afterTheIntervalOneLineSaysHowManyWereHeldBack() {
        let s = Setup()
        s.fail()
        for _ in 0..<41 { s.fail() }
        s.clock.advance(by: 59)
        s.fail()
        #expect(s.sink.lines.count == 1, "59 s is still within the interval")
        s.clock.advance(by: 1)
        s.fail()
        #expect(s.sink.lines.count == 2)
        #expect(s.sink.lines[1].contains(#"msg="cannot claim mail" error="disk full" repeated=42"#), "\(s.sink.lines[1])")
        // The count starts again from the line just written.
        s.clock.advance(by: 60)
        s.fail()
        #expect(s.sink.lines.count == 3)
        #expect(!s.sink.lines[2].contains("repeated="), "nothing was held back since the last line: \(s.sink.lines[2])")
    }

    @Test func differentLinesAreCountedApart() {
        let s = Setup()
        s.fail("disk full")
        s.fail("I/O error")
        s.fail("disk full", level: .warning)
        s.logger.log(level: .error, "cannot record a delivery attempt", metadata: ["error": "disk full"], limitedBy: s.limiter)
        let other = Logger(label: "secretwatch.other") { [sink = s.sink] in KeyValueLogHandler(label: $0, level: .info, sink: sink) }
        other.log(level: .error, "cannot claim mail", metadata: ["error": "disk full"], limitedBy: s.limiter)
        #expect(s.sink.lines.count == 5)
        for _ in 0..<10 { s.fail("disk full"); s.fail("I/O error") }
        #expect(s.sink.lines.count == 5)
    }

    @Test func linesBelowTheLogLevelAreNeitherWrittenNorCounted() {
        let s = Setup(level: .error)
        s.fail(level: .info)
        #expect(s.sink.lines.isEmpty)
        s.fail(level: .error)
        #expect(s.sink.lines.count == 1, "the info line did not use up the first error line")
    }

    @Test func theLeastRecentlyWrittenLineIsForgottenBeyondCapacity() {
        let s = Setup(capacity: 2)
        s.fail("a")
        s.clock.advance(by: 1)
        s.fail("b")
        s.clock.advance(by: 1)
        s.fail("c")  // forgets "a"
        s.fail("b")  // still tracked: held back
        s.fail("a")  // forgotten: written as a first line again (and forgets "b", now the oldest)
        #expect(s.sink.lines.count == 4)
        s.fail("c")
        #expect(s.sink.lines.count == 4, "c is still tracked")
    }

    @Test func admitCountsPerKey() {
        let limiter = LogRateLimiter(interval: 10, clock: ManualClock(now: Self.start))
        #expect(limiter.admit("x") == 0)
        #expect(limiter.admit("x") == nil)
        #expect(limiter.admit("x") == nil)
        #expect(limiter.admit("y") == 0)
    }
}
