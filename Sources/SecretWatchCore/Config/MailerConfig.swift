import Foundation

/// How the outbox delivers (the `mailer:` section; docs/configuration.md "Mailer"). The defaults follow
/// Exchange Online's limits: 3 concurrent sessions and 30 messages a minute per mailbox.
public struct MailerConfig: Sendable, Equatable {
    /// Parallel SMTP sessions (delivery workers).
    public var concurrency: Int = 3
    /// Messages per minute at most (sliding window); 0 switches the cap off (benchmarks only).
    public var ratePerMinute: Int = 30
    /// First retry delay after a transient failure; doubled per attempt, with jitter.
    public var retryInitial: TimeInterval = 30
    /// Longest retry delay; also the retry interval while the mail path is blocked.
    public var retryMax: TimeInterval = 3600
    /// A message still undelivered this long after it was queued is given up (`message_expired`).
    public var giveUpAfter: TimeInterval = 3 * 86400
    /// `mail_delivery_failing` is raised when the oldest queued message is older than this.
    public var alarmAfter: TimeInterval = 1800
    /// How often idle workers look for due messages (new mail wakes them at once).
    public var pollInterval: TimeInterval = 10

    public init() {}

    public init(concurrency: Int = 3, ratePerMinute: Int = 30, retryInitial: TimeInterval = 30, retryMax: TimeInterval = 3600,
                giveUpAfter: TimeInterval = 3 * 86400, alarmAfter: TimeInterval = 1800, pollInterval: TimeInterval = 10) {
        self.concurrency = concurrency
        self.ratePerMinute = ratePerMinute
        self.retryInitial = retryInitial
        self.retryMax = retryMax
        self.giveUpAfter = giveUpAfter
        self.alarmAfter = alarmAfter
        self.pollInterval = pollInterval
    }
}

extension MailerConfig {
    /// Reads `mailer:` (absent = defaults), recording every problem under its field path.
    static func read(_ obj: YAMLObject?, problems: ProblemList) -> MailerConfig {
        var config = MailerConfig()
        guard let obj else { return config }
        defer { obj.finish() }
        if let n = obj.int("concurrency") {
            config.concurrency = n
            if n > 3 {
                problems.warning(obj.fieldPath("concurrency"), "Exchange Online allows 3 concurrent sessions per mailbox; more are refused with 432 4.3.2")
            }
        }
        config.ratePerMinute = obj.int("rate_per_minute") ?? config.ratePerMinute
        config.retryInitial = obj.duration("retry_initial") ?? config.retryInitial
        config.retryMax = obj.duration("retry_max") ?? config.retryMax
        if config.retryMax < config.retryInitial {
            problems.error(obj.fieldPath("retry_max"), "must not be shorter than retry_initial (\(DurationText.format(config.retryInitial)))")
        }
        config.giveUpAfter = obj.duration("give_up_after") ?? config.giveUpAfter
        config.alarmAfter = obj.duration("alarm_after") ?? config.alarmAfter
        config.pollInterval = obj.duration("poll_interval") ?? config.pollInterval
        return config
    }
}
