/// The Prometheus alert rules for a configuration (`secretwatch rules`): the expiry alerts fire at the same
/// thresholds as the `client_secret_expiring` alarm — warning within the largest of `alarms.thresholds_days`,
/// critical within `alarms.critical_days` — so the rules and the alarms cannot disagree. Each rule's
/// `runbook_url` is its section of docs/troubleshooting.md under `runbookBase`.
public enum AlertRules {
    /// Where the package installs docs/troubleshooting.md (`/usr/share/doc/secretwatch/docs`, scripts/build-deb.sh); `--runbook-base` names another copy.
    public static let defaultRunbookBase = "file:///usr/share/doc/secretwatch/docs/troubleshooting.md"

    /// The rules file for `policy`.
    public static func render(policy: AlarmPolicy, runbookBase: String = defaultRunbookBase) -> String {
        let warning = policy.thresholdsDays.max() ?? ConfigDefaults.thresholdsDays[0]
        let thresholds = "[" + policy.thresholdsDays.sorted(by: >).map(String.init).joined(separator: ", ") + "]"
        // The literal drops the newline before its closing delimiter; the file ends with one.
        return (template + "\n")
            .replacingAll("@WARNING_DAYS@", with: String(warning))
            .replacingAll("@CRITICAL_DAYS@", with: String(policy.criticalDays))
            .replacingAll("@THRESHOLDS@", with: thresholds)
            .replacingAll("@RUNBOOK_BASE@", with: runbookBase)
    }

    /// The alert names, in the order of the file.
    public static var alertNames: [String] {
        template.split(separator: "\n").compactMap { line in
            let text = line.drop { $0 == " " }
            return text.hasPrefix("- alert: ") ? String(text.dropFirst("- alert: ".count)) : nil
        }
    }
}

extension String {
    /// Every occurrence of `token` replaced, without Foundation.
    func replacingAll(_ token: String, with value: String) -> String {
        split(separator: token, omittingEmptySubsequences: false).joined(separator: value)
    }
}
