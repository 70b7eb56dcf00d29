import Foundation
import Testing
import Yams
@testable import SecretWatchCore

/// alerts/secretwatch.rules.yml: promtool accepts it, its unit tests pass, the required alerts exist with
/// summary, description and runbook, and every metric it uses is exported.
@Suite struct AlertRulesTests {
    static let rulesPath = repositoryRoot.appendingPathComponent("alerts/secretwatch.rules.yml").path
    static let testsPath = repositoryRoot.appendingPathComponent("alerts/secretwatch.rules.test.yml").path

    static let requiredAlerts: Set<String> = [
        "SecretWatchClientSecretExpiringSoon", "SecretWatchClientSecretExpiringCritical", "SecretWatchClientSecretExpired",
        "SecretWatchTokenAcquisitionFailing", "SecretWatchMailDeliveryFailing", "SecretWatchOutboxBacklogOld",
        "SecretWatchSchedulerStalled", "SecretWatchStoreFailing", "SecretWatchDown",
        "SecretWatchExpiryMismatch", "SecretWatchSecretNotInEntra", "SecretWatchRotationPending",
        "SecretWatchDiscoveryFailing", "SecretWatchDiscoveryStale",
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
            for key in ["summary", "description", "runbook"] {
                #expect((annotations[key] as? String)?.isEmpty == false, "\(name) has no \(key)")
            }
            let severity = (rule["labels"] as? [String: Any])?["severity"] as? String
            #expect(["warning", "critical"].contains(severity ?? ""), "\(name) has no severity label")
        }
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
