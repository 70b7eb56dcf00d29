import Foundation
import Testing
import Yams
@testable import SecretWatchCore

/// alerts/secretwatch.rules.yml: promtool accepts it, its unit tests pass, the required alerts exist with
/// summary, description and a runbook_url whose anchor is a section of docs/troubleshooting.md, every metric it
/// uses is exported, and it is what `secretwatch rules` prints for the default configuration.
@Suite struct AlertRulesTests {
    static let rulesPath = repositoryRoot.appendingPathComponent("alerts/secretwatch.rules.yml").path
    static let testsPath = repositoryRoot.appendingPathComponent("alerts/secretwatch.rules.test.yml").path

    static let requiredAlerts: Set<String> = [
        "SecretWatchClientSecretExpiringSoon", "SecretWatchClientSecretExpiringCritical", "SecretWatchClientSecretExpired",
        "SecretWatchTokenAcquisitionFailing", "SecretWatchMailDeliveryFailing", "SecretWatchOutboxBacklogOld",
        "SecretWatchSchedulerStalled", "SecretWatchStoreFailing", "SecretWatchDown",
        "SecretWatchExpiryMismatch", "SecretWatchSecretNotInEntra", "SecretWatchRotationPending",
        "SecretWatchDiscoveryFailing", "SecretWatchDiscoveryStale", "SecretWatchEndpointCertificateExpiring",
        "SecretWatchConfigReloadFailed", "SecretWatchSchedulerStepFailing", "SecretWatchAbsent",
        "SecretWatchRelayFailing",
    ]

    static func rules() throws -> [[String: Any]] {
        let text = try String(contentsOfFile: rulesPath, encoding: .utf8)
        let root = try #require(try Yams.load(yaml: text) as? [String: Any])
        let groups = try #require(root["groups"] as? [[String: Any]])
        return groups.flatMap { ($0["rules"] as? [[String: Any]]) ?? [] }
    }

    @Test func promtoolChecksTheRules() async throws {
        let result = try await runProgram(promtoolPath, ["check", "rules", Self.rulesPath])
        #expect(result.status == 0, "\(result.output)")
    }

    @Test func promtoolUnitTestsPass() async throws {
        let result = try await runProgram(promtoolPath, ["test", "rules", Self.testsPath])
        #expect(result.status == 0, "\(result.output)")
    }

    @Test func requiredAlertsExistWithSummaryDescriptionAndRunbook() throws {
        let rules = try Self.rules()
        let names = Set(rules.compactMap { $0["alert"] as? String })
        #expect(Self.requiredAlerts.subtracting(names).isEmpty, "missing: \(Self.requiredAlerts.subtracting(names).sorted())")
        for rule in rules {
            let name = rule["alert"] as? String ?? "?"
            let annotations = rule["annotations"] as? [String: Any] ?? [:]
            for key in ["summary", "description", "runbook_url"] {
                #expect((annotations[key] as? String)?.isEmpty == false, "\(name) has no \(key)")
            }
            let severity = (rule["labels"] as? [String: Any])?["severity"] as? String
            #expect(["warning", "critical"].contains(severity ?? ""), "\(name) has no severity label")
        }
    }

    /// GitHub's anchor of a Markdown heading: lower case, spaces to '-', punctuation other than '-' and '_' dropped.
    static func anchor(_ heading: String) -> String {
        String(heading.lowercased().compactMap { $0 == " " ? "-" : ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : nil })
    }

    @Test func everyRunbookURLIsASectionOfTheTroubleshootingPage() throws {
        let page = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/troubleshooting.md"), encoding: .utf8)
        let anchors = Set(page.split(separator: "\n").filter { $0.hasPrefix("#") }
            .map { Self.anchor(String($0.drop { $0 == "#" }.dropFirst())) })
        for rule in try Self.rules() {
            let url = try #require((rule["annotations"] as? [String: Any])?["runbook_url"] as? String, "\(rule["alert"] ?? "?")")
            #expect(url.hasPrefix(AlertRules.defaultRunbookBase + "#"), "\(url)")
            let fragment = String(url.split(separator: "#", maxSplits: 1).last ?? "")
            #expect(anchors.contains(fragment), "\(rule["alert"] ?? "?"): no section #\(fragment) in docs/troubleshooting.md")
        }
    }

    @Test func theShippedRulesAreWhatSecretwatchRulesPrintsForTheDefaults() async throws {
        let shipped = try String(contentsOfFile: Self.rulesPath, encoding: .utf8)
        #expect(shipped == AlertRules.render(policy: AlarmPolicy()))
        let printed = try await runProgram(TestPaths.executable, ["rules"])
        #expect(printed.status == 0)
        #expect(printed.output == shipped, "alerts/secretwatch.rules.yml differs from `secretwatch rules`; regenerate it")
    }

    @Test func rulesFollowTheConfiguredThresholds() async throws {
        let dir = TemporaryDirectory()
        try dir.write("secret.txt", "rules-test-secret\n", mode: 0o600)
        let config = try dir.write("c.yml", TestConfig.yaml(database: dir.file("sw.db"), expires: Date().addingTimeInterval(400 * 86400),
                                                          extra: "alarms:\n  thresholds_days: [60, 21, 3]\n  critical_days: 3"))
        let printed = try await runProgram(TestPaths.executable, ["rules", "--config", config, "--runbook-base", "https://wiki.example/secretwatch"])
        #expect(printed.status == 0, "\(printed.output)")
        let root = try #require(try Yams.load(yaml: printed.output) as? [String: Any])
        let rules = ((root["groups"] as? [[String: Any]])?.first?["rules"] as? [[String: Any]]) ?? []
        func expr(_ name: String) -> String { rules.first { $0["alert"] as? String == name }?["expr"] as? String ?? "" }
        #expect(expr("SecretWatchClientSecretExpiringSoon").contains("< 60 * 86400"))
        #expect(expr("SecretWatchClientSecretExpiringSoon").contains(">= 3 * 86400"))
        #expect(expr("SecretWatchClientSecretExpiringCritical").contains("< 3 * 86400"))
        #expect(rules.allSatisfy { (($0["annotations"] as? [String: Any])?["runbook_url"] as? String)?.hasPrefix("https://wiki.example/secretwatch#") == true })
        let file = try dir.write("rules.yml", printed.output)
        let check = try await runProgram(promtoolPath, ["check", "rules", file])
        #expect(check.status == 0, "\(check.output)")
    }

    @Test func everyAlertIsUnitTestedFiringAndNotFiring() throws {
        let text = try String(contentsOfFile: Self.testsPath, encoding: .utf8)
        let root = try #require(try Yams.load(yaml: text) as? [String: Any])
        let cases = (root["tests"] as? [[String: Any]] ?? []).flatMap { ($0["alert_rule_test"] as? [[String: Any]]) ?? [] }
        for alert in Self.requiredAlerts {
            let mine = cases.filter { $0["alertname"] as? String == alert }
            #expect(mine.contains { (($0["exp_alerts"] as? [Any]) ?? []).isEmpty }, "\(alert) has no not-firing case")
            #expect(mine.contains { !(($0["exp_alerts"] as? [Any]) ?? []).isEmpty }, "\(alert) has no firing case")
        }
    }

    @Test func rulesUseOnlyExportedMetrics() throws {
        let exported = MetricCatalog.sampleNames
        for rule in try Self.rules() {
            let expr = try #require(rule["expr"] as? String)
            let used = metricNames(in: expr)
            #expect(used.subtracting(exported).isEmpty, "\(rule["alert"] ?? "?") uses unknown metrics \(used.subtracting(exported).sorted())")
        }
    }
}
