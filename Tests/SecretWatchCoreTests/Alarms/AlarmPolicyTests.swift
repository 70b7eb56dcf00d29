import Foundation
import Testing
@testable import SecretWatchCore

@Suite("Expiry assessment")
struct AlarmPolicyTests {
    let policy = AlarmPolicy()
    let expiry = Date.utc("2027-06-01T00:00:00Z")

    func at(daysBefore days: Double) -> ExpiryAssessment {
        policy.assess(expiresAt: expiry, now: expiry.addingTimeInterval(-days * 86400))
    }

    @Test func thresholdsAndSeverity() {
        #expect(at(daysBefore: 31).threshold == nil)
        #expect(at(daysBefore: 30).threshold == 30)
        #expect(at(daysBefore: 30).severity == .warning)
        #expect(at(daysBefore: 10).threshold == 14)
        #expect(at(daysBefore: 10).daysLeft == 10)
        #expect(at(daysBefore: 9.5).daysLeft == 10)
        #expect(at(daysBefore: 7).threshold == 7)
        #expect(at(daysBefore: 7).severity == .critical)
        #expect(at(daysBefore: 0.5).threshold == 1)
        #expect(at(daysBefore: 0.5).severity == .critical)
        #expect(!at(daysBefore: 0.001).expired)
        #expect(at(daysBefore: 0).expired)
        #expect(at(daysBefore: -3).expired)
        #expect(at(daysBefore: -3).daysLeft == -3)
    }

    @Test("critical defaults to the last two thresholds; thresholds are sorted and unique")
    func customThresholds() {
        let p = AlarmPolicy(thresholdsDays: [3, 60, 10, 10])
        #expect(p.thresholdsDays == [60, 10, 3])
        #expect(p.criticalDays == 10)
        #expect(p.assess(expiresAt: expiry, now: expiry.addingTimeInterval(-20 * 86400)).severity == .warning)
        #expect(p.assess(expiresAt: expiry, now: expiry.addingTimeInterval(-9 * 86400)).severity == .critical)
        #expect(AlarmPolicy(thresholdsDays: [5]).criticalDays == 5)
    }
}
