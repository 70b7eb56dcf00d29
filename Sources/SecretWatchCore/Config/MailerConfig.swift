import FoundationEssentials

/// How the outbox delivers (the `mailer:` section; docs/configuration.md "Mailer"). The defaults follow
/// Exchange Online's limits: 3 concurrent sessions and 30 messages a minute per mailbox.
public struct MailerConfig: Sendable, Equatable {
    /// Parallel SMTP sessions (delivery workers).
    public var concurrency: Int = ConfigDefaults.mailerConcurrency
    /// Messages per minute at most (sliding window); 0 switches the cap off (benchmarks only).
    public var ratePerMinute: Int = ConfigDefaults.mailerRatePerMinute
    /// First retry delay after a transient failure; doubled per attempt, with jitter.
    public var retryInitial: TimeInterval = ConfigDefaults.mailerRetryInitial
    /// Longest retry delay; also the retry interval while the mail path is blocked.
    public var retryMax: TimeInterval = ConfigDefaults.mailerRetryMax
    /// A message still undelivered this long after it was queued is given up (`message_expired`).
    public var giveUpAfter: TimeInterval = ConfigDefaults.mailerGiveUpAfter
    /// `mail_delivery_failing` is raised when the oldest queued message is older than this.
    public var alarmAfter: TimeInterval = ConfigDefaults.mailerAlarmAfter
    /// How often idle workers look for due messages (new mail wakes them at once).
    public var pollInterval: TimeInterval = ConfigDefaults.mailerPollInterval

    public init() {}

    public init(concurrency: Int = ConfigDefaults.mailerConcurrency, ratePerMinute: Int = ConfigDefaults.mailerRatePerMinute,
                retryInitial: TimeInterval = ConfigDefaults.mailerRetryInitial, retryMax: TimeInterval = ConfigDefaults.mailerRetryMax,
                giveUpAfter: TimeInterval = ConfigDefaults.mailerGiveUpAfter, alarmAfter: TimeInterval = ConfigDefaults.mailerAlarmAfter,
                pollInterval: TimeInterval = ConfigDefaults.mailerPollInterval) {
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
