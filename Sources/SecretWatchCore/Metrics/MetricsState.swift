import Foundation
internal import SecretWatchExposition

/// Everything the state part of `/metrics` shows, kept in memory and updated by telemetry events and store
/// refreshes. Rendering it (`MetricsState+Render.swift`) is a pure function of this value, so the same state
/// always gives the same bytes.
struct MetricsState: Sendable {
    struct TokenKey: Hashable, Comparable, Sendable {
        var credential: String
        var outcome: String
        var reason: String
        static func < (a: Self, b: Self) -> Bool { (a.credential, a.outcome, a.reason) < (b.credential, b.outcome, b.reason) }
    }

    struct SendKey: Hashable, Comparable, Sendable {
        var outcome: String
        var reason: String
        static func < (a: Self, b: Self) -> Bool { (a.outcome, a.reason) < (b.outcome, b.reason) }
    }

    var version: String = SecretWatchVersion.string
    /// The watched credentials' families, rendered when they last changed (nil: none yet).
    var credentialFamilies: CredentialFamilies?
    var activeAlarms: [Alarm] = []
    var alarmsRaised: [AlarmKind: Int] = [:]
    var tokenRequests: [TokenKey: Int] = [:]
    var tokenDuration: [String: Histogram] = [:]
    var tokenCachedExpiry: [String: Date] = [:]
    var tokenLastSuccess: [String: Date] = [:]
    var mailSends: [SendKey: Int] = [:]
    var mailDuration: [String: Histogram] = [:]
    var outbox: OutboxState = .empty

    /// The label value for "no reason" (successes): an empty label would read as an absent one.
    static let noReason = "none"

    mutating func record(_ attempt: TokenAttempt) {
        let outcome = attempt.outcome.rawValue
        let reason = attempt.outcome == .success ? Self.noReason : Self.labelSafe(attempt.reason)
        tokenRequests[TokenKey(credential: attempt.credential, outcome: outcome, reason: reason), default: 0] += 1
        tokenDuration[outcome, default: Histogram(upperBounds: MetricCatalog.tokenDurationBuckets)].observe(attempt.duration)
        if attempt.outcome == .success {
            let obtained = attempt.startedAt.addingTimeInterval(max(0, attempt.duration))
            tokenLastSuccess[attempt.credential] = obtained
            if let lifetime = attempt.expiresIn {
                tokenCachedExpiry[attempt.credential] = obtained.addingTimeInterval(TimeInterval(lifetime))
            }
        }
    }

    mutating func record(_ delivery: Delivery) {
        let outcome = delivery.outcome.rawValue
        let reason = delivery.outcome == .sent ? Self.noReason : Self.labelSafe(delivery.reason)
        mailSends[SendKey(outcome: outcome, reason: reason), default: 0] += 1
        mailDuration[outcome, default: Histogram(upperBounds: MetricCatalog.mailDurationBuckets)].observe(delivery.duration)
    }

    /// Reasons are stable snake_case words; anything else (a component bug) is folded into `other` so that no
    /// free text ever becomes a label value.
    static func labelSafe(_ reason: String?) -> String {
        guard let reason, !reason.isEmpty, reason.count <= 64,
              reason.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }) else {
            return reason == nil || reason == "" ? "unknown" : "other"
        }
        return reason
    }
}
