import Foundation
import Logging

/// SIGHUP, the way ISE saves SMTP settings: the file is re-read and validated; when the SMTP or credential
/// settings changed, the new ones must pass a connection test (token + SMTP AUTH, no mail) before they replace
/// the running ones. A rejected configuration leaves the old one running and is reported three ways: a log
/// line with the reason and a row in `config_reloads`. An applied one
/// syncs the credentials and runs an expiry pass at once, so a new expiry date (rotation) clears its alarms.
/// Settings read only at start (database, http, scheduler interval, mailer, thresholds) need a restart;
/// a reload that changes them says so.
public final class ConfigReloader: Sendable {
    public struct Outcome: Sendable, Equatable {
        /// `applied`, `unchanged` or `rejected`.
        public var outcome: String
        public var reason: String?
        public var detail: String
    }

    public typealias ConnectionCheck = @Sendable (SMTPConfig, any TokenProvider) async -> [ConnectionStageResult]

    let current: CurrentConfig
    let load: @Sendable () throws -> Config
    let engine: AlarmEngine
    let delivery: DeliveryService?
    let tokenFactory: (@Sendable (Config) -> any TokenProvider)?
    let connectionCheck: ConnectionCheck
    let clock: any WallClock
    /// Told about every applied configuration, with the token provider its connection test used (if any); when
    /// set, it (not the reloader) hands the mailer its new settings.
    let onApplied: (@Sendable (Config, (any TokenProvider)?) -> Void)?
    /// Told after every reload, whatever its outcome, with the configuration then in force: files it names whose
    /// contents may have changed without the configuration changing (a `ca_file` replaced in place) are read again.
    let onReload: (@Sendable (Config) -> Void)?
    let logger: Logger

    public init(current: CurrentConfig, load: @escaping @Sendable () throws -> Config, engine: AlarmEngine,
                delivery: DeliveryService?, tokenFactory: (@Sendable (Config) -> any TokenProvider)?,
                connectionCheck: @escaping ConnectionCheck = { smtp, tokens in await SMTPConnectionTest(config: smtp, tokens: tokens).run() },
                clock: any WallClock,
                onApplied: (@Sendable (Config, (any TokenProvider)?) -> Void)? = nil,
                onReload: (@Sendable (Config) -> Void)? = nil,
                logger: Logger = Logger(label: "secretwatch.reload")) {
        self.onApplied = onApplied
        self.onReload = onReload
        self.current = current
        self.load = load
        self.engine = engine
        self.delivery = delivery
        self.tokenFactory = tokenFactory
        self.connectionCheck = connectionCheck
        self.clock = clock
        self.logger = logger
    }

    @discardableResult
    public func reload() async -> Outcome {
        let outcome = await apply()
        onReload?(current.value)
        return outcome
    }

    private func apply() async -> Outcome {
        let old = current.value
        let new: Config
        do {
            new = try load()
        } catch {
            return finish(Outcome(outcome: "rejected", reason: "config_invalid", detail: "\(error)"))
        }
        let restartOnly = Self.restartOnlyChanges(old, new)
        let smtpChanged = new.smtp != old.smtp
        var tokens: (any TokenProvider)?
        if smtpChanged, let tokenFactory {
            let candidate = tokenFactory(new)
            let stages = await connectionCheck(new.smtp, candidate)
            if let failed = stages.first(where: { !$0.ok }), let failure = failed.failure {
                return finish(Outcome(outcome: "rejected", reason: failure.reason,
                                      detail: "connection test of the new SMTP settings failed at \(failed.stage): \(failure.message) — \(failure.fix); the previous configuration stays in force"))
            }
            tokens = candidate
        }
        let credentialsChanged = new.allCredentials != old.allCredentials || new.credentials != old.credentials
        let notificationsChanged = new.notifications != old.notifications
        let tokenSettingsChanged = new.token != old.token
        let discoveryChanged = new.discovery != old.discovery
        let relayChanged = new.relay != old.relay
        guard smtpChanged || credentialsChanged || notificationsChanged || tokenSettingsChanged || discoveryChanged
                || relayChanged || !restartOnly.isEmpty else {
            return finish(Outcome(outcome: "unchanged", reason: nil, detail: "the configuration did not change"))
        }
        var applied = new
        // What only a restart applies keeps its running value, so that `current` tells the truth.
        applied.database = old.database
        applied.http = old.http
        applied.scheduler = old.scheduler
        applied.mailer = old.mailer
        applied.alarms = old.alarms
        let now = clock.now()
        do {
            try engine.store.syncCredentials(applied.allCredentials, now: now)
            current.replace(with: applied)
            // The owner decides which provider the mailer uses from now on; alone, the tested one takes over.
            if let onApplied {
                onApplied(applied, tokens)
            } else if let tokens {
                delivery?.update(smtp: applied.smtp, tokens: tokens)
            }
            try ExpiryEvaluator(engine: engine, policy: applied.alarms).evaluate(now: now)
        } catch {
            return finish(Outcome(outcome: "rejected", reason: "store_error", detail: "\(error)"))
        }
        var changes: [String] = []
        if smtpChanged { changes.append("smtp settings (connection test passed)") }
        if credentialsChanged { changes.append("credentials") }
        if notificationsChanged { changes.append("notifications") }
        if tokenSettingsChanged { changes.append("token settings") }
        if discoveryChanged { changes.append("discovery (a changed tenant is read again at the next pass)") }
        if relayChanged { changes.append("relay") }
        var detail = "applied: " + (changes.isEmpty ? "nothing that takes effect now" : changes.joined(separator: ", "))
        if !restartOnly.isEmpty { detail += "; needs a restart to apply: " + restartOnly.joined(separator: ", ") }
        return finish(Outcome(outcome: "applied", reason: nil, detail: detail))
    }

    static func restartOnlyChanges(_ old: Config, _ new: Config) -> [String] {
        var fields: [String] = []
        if old.database != new.database { fields.append("database") }
        if old.http != new.http { fields.append("http") }
        if old.scheduler != new.scheduler { fields.append("scheduler") }
        if old.mailer != new.mailer { fields.append("mailer") }
        if old.alarms != new.alarms { fields.append("alarms") }
        if old.logLevel != new.logLevel { fields.append("log_level") }
        return fields
    }

    private func finish(_ outcome: Outcome) -> Outcome {
        let detail = Redactor.scrub(outcome.detail)
        switch outcome.outcome {
        case "rejected":
            logger.error("configuration reload rejected; the previous configuration stays in force", metadata: [
                "reason": "\(outcome.reason ?? "-")", "detail": "\(detail)",
            ])
        default:
            logger.notice("configuration reload \(outcome.outcome)", metadata: ["detail": "\(detail)"])
        }
        engine.telemetry.configReload(successful: outcome.outcome != "rejected", at: clock.now())
        do {
            try engine.store.recordReload(at: clock.now(), outcome: outcome.outcome, reason: outcome.reason, detail: detail)
        } catch {
            logger.error("cannot record the reload", metadata: ["error": "\(error)"])
        }
        return Outcome(outcome: outcome.outcome, reason: outcome.reason, detail: detail)
    }
}
