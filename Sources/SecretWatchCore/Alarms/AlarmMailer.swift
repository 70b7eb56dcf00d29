import FoundationEssentials

/// Queues the administrators' e-mail for every alarm raise, escalation, update of a system alarm and clear,
/// inside the transaction that changed the alarm (so the alarm change and its mail land together), and
/// records the notification in the alarm's history. System alarms only when `include_system_alarms` is on.
public struct AlarmMailer: AlarmTransitionObserver {
    private let source: @Sendable () -> NotificationsConfig
    public var signal: OutboxSignal?
    public var clock: any WallClock

    /// The settings in force (a reload can change them).
    public var notifications: NotificationsConfig { source() }

    public init(notifications: NotificationsConfig, signal: OutboxSignal? = nil, clock: any WallClock = SystemClock()) {
        self.init(source: { notifications }, signal: signal, clock: clock)
    }

    /// Reads the settings from `source` at every alarm change (the daemon's current configuration).
    public init(source: @escaping @Sendable () -> NotificationsConfig, signal: OutboxSignal? = nil, clock: any WallClock = SystemClock()) {
        self.source = source
        self.signal = signal
        self.clock = clock
    }

    public func wants(_ kind: AlarmKind) -> Bool {
        !notifications.to.isEmpty && (!kind.isSystem || notifications.includeSystemAlarms)
    }

    public func alarmDidTransition(_ transition: AlarmTransition, tx: StoreTransaction) throws {
        let occasion: AlarmMail.Occasion
        switch transition.type {
        case .raised: occasion = .raised
        case .escalated: occasion = .escalated
        case .cleared: occasion = .cleared
        case .updated where transition.alarm.kind.isSystem: occasion = .updated
        default: return
        }
        guard wants(transition.alarm.kind) else { return }
        let at = transition.alarm.updatedAt
        let mail = AlarmMail(alarm: transition.alarm, credential: transition.credential, occasion: occasion,
                             detail: transition.detail, now: at)
        try queue(mail, kind: .alarm, eventType: .notified, tx: tx)
    }

    /// Queues `mail`, marks the alarm notified and writes the history event.
    func queue(_ mail: AlarmMail, kind: OutboxMessage.Kind, eventType: AlarmEventType, tx: StoreTransaction) throws {
        let notifications = notifications
        let message = mail.message(from: notifications.from, to: notifications.to)
        do {
            try tx.enqueue(message, kind: kind, alarmId: mail.alarm.id, at: clock.now())
        } catch let invalid as MailMessage.Invalid {
            // An unusable address must not undo the alarm change itself: record why no mail went out.
            try AlarmEngine.recordNotification(of: mail.alarm, type: .updated, markNotified: false,
                                               detail: "e-mail not queued: \(invalid.description)", at: mail.now, tx: tx)
            return
        }
        try AlarmEngine.recordNotification(
            of: mail.alarm, type: eventType, markNotified: mail.occasion != .cleared,
            detail: "e-mail queued to \(notifications.to.joined(separator: ", ")) (Message-ID <\(message.messageId)>)",
            at: mail.now, tx: tx)
        if let signal { tx.afterCommit { signal.signal() } }
    }
}

/// The e-mail an alarm change sends the administrators: what happened, for which app, the expiry and days
/// left, the reason and the fix, and the alarm id to acknowledge. Pure text; `MailMessage` does the encoding.
public struct AlarmMail: Sendable {
    /// Why the mail is sent.
    public enum Occasion: String, Sendable {
        case raised, escalated, updated, cleared, reminder

        var word: String {
            switch self {
            case .raised: "RAISED"
            case .escalated: "ESCALATED"
            case .updated: "UPDATED"
            case .cleared: "CLEARED"
            case .reminder: "REMINDER"
            }
        }
    }

    public var alarm: Alarm
    public var credential: Credential
    public var occasion: Occasion
    /// What changed (the history event's detail).
    public var detail: String
    public var now: Date

    public init(alarm: Alarm, credential: Credential, occasion: Occasion, detail: String, now: Date) {
        self.alarm = alarm
        self.credential = credential
        self.occasion = occasion
        self.detail = detail
        self.now = now
    }

    /// `[secretwatch] CRITICAL client_secret_expiring: ise-smtp — SMTP OAuth client secret about to expire (RAISED)`
    public var subject: String {
        let severity = occasion == .cleared ? "CLEARED" : alarm.severity.rawValue.uppercased()
        let suffix = occasion == .cleared ? "" : " (\(occasion.word))"
        return "[secretwatch] \(severity) \(alarm.kind.rawValue): \(credential.name) — \(alarm.kind.title)\(suffix)"
    }

    public var body: String {
        var lines: [String] = []
        switch occasion {
        case .cleared: lines.append("This alarm is cleared: \(detail)")
        case .reminder: lines.append("This alarm is still active and not acknowledged: \(alarm.summary)")
        default: lines.append("\(alarm.summary).")
        }
        lines.append("")
        lines.append("What happened: \(detail)")
        lines.append("")
        lines.append("Application")
        lines.append("  display name: \(credential.displayName ?? "-")")
        lines.append("  credential:   \(credential.name)")
        lines.append("  tenant id:    \(credential.tenantId)")
        lines.append("  client id:    \(credential.clientId)")
        if let mailbox = credential.mailbox { lines.append("  mailbox:      \(mailbox)") }
        if let thumbprint = credential.thumbprint { lines.append("  thumbprint:   \(thumbprint) (SHA-1, as Entra lists it)") }
        if credential.source == .graph {
            lines.append("  source:       Microsoft Graph (\(credential.type.rawValue) \(credential.keyId ?? "-") of \(credential.appName ?? credential.clientId))")
        }
        if let expires = alarm.expiresAt ?? credential.expiresAt {
            let seconds = expires.timeIntervalSince(now)
            let days = Int((seconds / 86400).rounded(.up))
            let what = alarm.kind == .endpointCertificateExpiring || credential.type == .certificate ? "certificate" : "secret"
            lines.append("  \(what) expires: \(Timestamps.rfc3339(expires)) (" + (seconds <= 0 ? "expired" : "\(days) day\(days == 1 ? "" : "s") left") + ")")
        }
        if let created = credential.rotationPendingSince, alarm.kind.isExpiry {
            lines.append("  rotation:     a new secret created on \(Timestamps.day(created)) is not deployed yet")
        }
        lines.append("")
        lines.append("Alarm")
        lines.append("  id:       \(alarm.id)")
        lines.append("  kind:     \(alarm.kind.rawValue) (\(alarm.kind.title))")
        lines.append("  severity: \(alarm.severity.rawValue)")
        lines.append("  raised:   \(Timestamps.rfc3339(alarm.raisedAt))")
        if let reason = alarm.reason { lines.append("  reason:   \(reason)") }
        if occasion != .cleared {
            lines.append("")
            lines.append("How to fix it")
            lines += fixSteps.map { "  " + $0 }
            lines.append("")
            lines.append("Acknowledge (stops the reminders): secretwatch ack \(alarm.id) --by <your name>")
        }
        lines.append("")
        lines.append("-- ")
        lines.append("secretwatch \(SecretWatchVersion.string)")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The fix: the Entra rotation steps for secrets, the reason table's fix for mail failures.
    var fixSteps: [String] {
        switch alarm.kind {
        case .clientCertificateExpiring where credential.source == .config, .clientCertificateExpired where credential.source == .config:
            return Self.certificateRotationSteps(credential)
        case .clientSecretExpiring where credential.source == .graph, .clientSecretExpired where credential.source == .graph,
             .clientCertificateExpiring, .clientCertificateExpired:
            let what = credential.type == .certificate ? "certificate" : "client secret"
            return [
                "1. In the Microsoft Entra admin center open App registrations → \(credential.appName ?? credential.clientId) (client id \(credential.clientId)) → Certificates & secrets.",
                "2. Add a new \(what) and deploy it wherever this app signs in with the old one.",
                "3. Once nothing uses the old \(what) (key id \(credential.keyId ?? "-")), delete it in Entra: secretwatch sees it go at the next discovery and clears this alarm.",
            ]
        case .clientSecretExpiring, .clientSecretExpired:
            if let created = credential.rotationPendingSince {
                return [
                    "1. A new secret of this app was created on \(Timestamps.day(created)) but is not deployed yet: deploy it.",
                    "2. Write its value into the secret file (or variable) secretwatch and the mail sender read; keep it mode 0600, then reload (systemctl reload secretwatch or kill -HUP).",
                    "3. Update the sending system (e.g. Cisco ISE: Administration → System → Settings → SMTP Server) with the new secret, then delete the old secret in Entra.",
                ]
            }
            return [
                "1. In the Microsoft Entra admin center open App registrations → \(credential.displayName ?? credential.clientId) (client id \(credential.clientId)) → Certificates & secrets.",
                "2. Under Client secrets choose New client secret, pick a lifetime, and copy the secret's Value (not its Secret ID) right away.",
                "3. Write the new value into the secret file (or variable) secretwatch and the mail sender read; keep it mode 0600.",
                "4. Set secret_expires for \(credential.name) in the secretwatch configuration to the new Expires date, then reload (systemctl reload secretwatch or kill -HUP).",
                "5. Update the sending system (e.g. Cisco ISE: Administration → System → Settings → SMTP Server) with the new secret, then delete the old secret in Entra.",
            ]
        case .mailDeliveryFailing, .tokenAcquisitionFailing:
            if let reason = alarm.reason, let known = SMTPFailureReason.named(reason) {
                return ["\(known.message).", "Fix: \(known.fix)"]
            }
            return ["See secretwatch alarms --events and the delivery / token history for the classified reason" + (alarm.reason.map { " (\($0))" } ?? "") + "; docs/troubleshooting.md lists every reason with its fix."]
        case .expiryMismatch:
            return [
                "1. secret_expires for \(credential.name) does not say what Entra says of the secret in use (see above); the expiry alarms follow Entra's date meanwhile.",
                "2. Set secret_expires for \(credential.name) to Entra's date (App registrations → Certificates & secrets → Expires), then reload.",
            ]
        case .secretNotInEntra:
            return [
                "1. The secret \(credential.name) reads is not among the client secrets of app \(credential.clientId) in Entra: it was deleted, or belongs to another app. The next token request with it fails.",
                "2. In App registrations → \(credential.displayName ?? credential.clientId) → Certificates & secrets create a new client secret and copy its Value.",
                "3. Write it into the secret file (or variable), set secret_expires to its Expires date, and reload; update the sending system (e.g. Cisco ISE) too.",
            ]
        case .discoveryFailing:
            if let reason = alarm.reason {
                if let graph = GraphFailureReason(rawValue: reason) { return ["\(graph.message).", "Fix: \(graph.fix)"] }
                if let token = TokenFailureReason(rawValue: reason) { return ["\(token.message).", "Fix: \(token.fix)"] }
            }
            return ["See secretwatch status and docs/troubleshooting.md (Graph reasons); the last known credentials are still watched meanwhile."]
        case .endpointCertificateExpiring:
            return [
                "1. secretwatch check --connect prints the chain the token endpoint and the SMTP server present (position, subject, issuer, end date); the metric secretwatch_endpoint_certificate_expiry_timestamp_seconds has every certificate, the ca_files' too.",
                "2. A certificate of a TLS-inspecting proxy (the chain it presents, or its CA in smtp.ca_file / token.ca_file): have whoever runs the proxy renew it, then put the new CA into the ca_file and reload secretwatch.",
                "3. A certificate of Microsoft's own endpoints is renewed by Microsoft; if it is still close to expiry, something between this host and Microsoft presents it. Never disable certificate verification.",
            ]
        case .storeFailing:
            if let reason = alarm.reason.flatMap(StoreFailureReason.init(rawValue:)) {
                return ["\(reason.message.prefix(1).uppercased() + reason.message.dropFirst()).", "Fix: \(reason.fix)."]
            }
            return ["See the daemon's log (journalctl -u secretwatch) for the database error; docs/troubleshooting.md lists every reason with its fix."]
        }
    }

    public func message(from: String, to: [String]) -> MailMessage {
        MailMessage(from: from, to: to, subject: subject, body: body, date: now,
                    extraHeaders: [("X-Secretwatch-Alarm", "\(alarm.id) \(alarm.kind.rawValue) \(occasion.rawValue)")])
    }
}

/// Re-sends the alarm e-mail for every active, unacknowledged alarm whose last notification is older than
/// `alarms.renotify_interval`. Acknowledged alarms are never re-notified.
public struct RenotifyStep: SchedulerStep {
    public let name = "renotify"
    public let store: Store
    public let mailer: AlarmMailer
    public let interval: TimeInterval

    public init(store: Store, mailer: AlarmMailer, interval: TimeInterval) {
        self.store = store
        self.mailer = mailer
        self.interval = interval
    }

    public func run(now: Date) async throws {
        try renotify(now: now)
    }

    /// Returns the ids of the alarms reminded about.
    @discardableResult
    public func renotify(now: Date) throws -> [Int64] {
        try store.transaction { tx in
            var reminded: [Int64] = []
            let due = try tx.activeAlarms(kinds: AlarmKind.allCases).filter { alarm in
                !alarm.isAcknowledged && mailer.wants(alarm.kind)
                    && now.timeIntervalSince(alarm.notifiedAt ?? alarm.raisedAt) >= interval
            }
            for alarm in due {
                guard let credential = try tx.credential(id: alarm.credentialId) else { continue }
                let mail = AlarmMail(alarm: alarm, credential: credential.credential, occasion: .reminder,
                                     detail: "still active since \(Timestamps.rfc3339(alarm.raisedAt)), not acknowledged", now: now)
                try mailer.queue(mail, kind: .reminder, eventType: .renotified, tx: tx)
                reminded.append(alarm.id)
            }
            return reminded
        }
    }
}
