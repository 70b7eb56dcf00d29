import Foundation

/// When expiry alarms are raised and how loud they are.
public struct AlarmPolicy: Sendable, Equatable {
    /// Days-left thresholds, largest first (default 30, 14, 7, 1).
    public var thresholdsDays: [Int]
    /// Thresholds at or below this many days raise a critical alarm (default: the second-smallest threshold,
    /// so the last two thresholds are critical).
    public var criticalDays: Int
    /// How often an unacknowledged active alarm is e-mailed again.
    public var renotifyInterval: TimeInterval
    /// Consecutive token failures before `token_acquisition_failing` is raised.
    public var tokenFailuresBeforeAlarm: Int


    public init(thresholdsDays: [Int] = ConfigDefaults.thresholdsDays, criticalDays: Int? = nil,
                renotifyInterval: TimeInterval = ConfigDefaults.renotifyInterval,
                tokenFailuresBeforeAlarm: Int = ConfigDefaults.tokenFailuresBeforeAlarm) {
        let sorted = Array(Set(thresholdsDays)).sorted(by: >)
        self.thresholdsDays = sorted
        self.criticalDays = criticalDays ?? AlarmPolicy.defaultCriticalDays(for: sorted)
        self.renotifyInterval = renotifyInterval
        self.tokenFailuresBeforeAlarm = tokenFailuresBeforeAlarm
    }

    static func defaultCriticalDays(for sortedDescending: [Int]) -> Int {
        sortedDescending.count >= 2 ? sortedDescending[sortedDescending.count - 2] : (sortedDescending.last ?? 0)
    }

    /// Where a secret stands at `now`.
    public func assess(expiresAt: Date, now: Date) -> ExpiryAssessment {
        let remaining = expiresAt.timeIntervalSince(now)
        let daysLeft = Int((remaining / 86400).rounded(.up))
        if remaining <= 0 {
            return ExpiryAssessment(secondsLeft: remaining, daysLeft: min(daysLeft, 0), expired: true,
                                    threshold: thresholdsDays.last, severity: .critical)
        }
        // The smallest threshold the remaining time is within.
        let crossed = thresholdsDays.last(where: { remaining <= Double($0) * 86400 })
        let severity: Severity? = crossed.map { $0 <= criticalDays ? .critical : .warning }
        return ExpiryAssessment(secondsLeft: remaining, daysLeft: daysLeft, expired: false,
                                threshold: crossed, severity: severity)
    }
}

/// The outcome of `AlarmPolicy.assess`.
public struct ExpiryAssessment: Sendable, Equatable {
    public var secondsLeft: TimeInterval
    /// Whole days left, rounded up (a secret expiring in 9.5 days has 10 days left); 0 or less once expired.
    public var daysLeft: Int
    public var expired: Bool
    /// The threshold crossed (smallest one the remaining time is within), nil when none is.
    public var threshold: Int?
    public var severity: Severity?
}
