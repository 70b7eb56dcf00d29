import Foundation
import Testing
@testable import SecretWatchCore

/// What the relay accepts: Alertmanager's webhook (version 4) and Grafana's webhook contact point payload, read
/// from samples written after their documented formats.
@Suite("Relay payload")
struct RelayPayloadTests {
    @Test func alertmanagerNotificationParsesWhole() throws {
        let n = try RelayFixtures.notification("alertmanager-firing.json")
        #expect(n.version == "4" && n.status == .firing && n.receiver == "team-api")
        #expect(n.groupKey == #"{}/{severity="page"}:{alertname="HighLatency"}"#)
        #expect(n.truncatedAlerts == 0 && n.externalURL == "http://alertmanager.example:9093")
        #expect(n.groupLabels.map(\.0) == ["alertname"])
        #expect(n.commonLabels.map(\.0) == ["alertname", "job", "severity"], "sorted by name")
        #expect(n.commonAnnotations.isEmpty)
        #expect(n.alerts.count == 3 && n.firingCount == 2 && n.resolvedCount == 1)
        let first = n.alerts[0]
        #expect(first.labels.map(\.0) == ["alertname", "instance", "job", "severity"])
        #expect(first.annotation("runbook_url") == "https://runbooks.example/HighLatency")
        #expect(abs(first.startsAt.timeIntervalSince(RelayFixtures.date("2026-03-01T11:50:03Z")) - 0.123456789) < 1e-6,
                "fractional seconds kept")
        #expect(first.endsAt == nil, "Go's zero time: not ended")
        #expect(first.fingerprint == "4f3c2d1e0a9b8c7d" && first.generatorURL.hasPrefix("http://prometheus.example:9090/graph?"))
        #expect(n.alerts[1].startsAt == RelayFixtures.date("2026-03-01T11:52:03Z"), "an offset is converted to UTC")
        #expect(n.alerts[2].endsAt == RelayFixtures.date("2026-03-01T11:58:33.5Z"))
        #expect(first.silenceURL == nil && first.values.isEmpty && n.title == nil && n.orgId == nil)
    }

    @Test func grafanaNotificationParsesWithItsExtras() throws {
        let n = try RelayFixtures.notification("grafana-firing.json")
        #expect(n.version == "1" && n.orgId == 1 && n.state == "alerting" && n.title == "[FIRING:2]  (blue)")
        #expect(n.message?.hasPrefix("**Firing**") == true)
        #expect(n.groupLabels.isEmpty && n.commonLabels.map(\.1) == ["blue"] && n.groupKey == "{}:{}")
        let (a, b) = (n.alerts[0], n.alerts[1])
        #expect(a.silenceURL?.hasPrefix("https://play.grafana.org/alerting/silence/new?") == true)
        #expect(a.dashboardURL == nil && a.panelURL == nil, "Grafana's empty strings mean none")
        #expect(a.values.map(\.0) == ["B", "C"] && a.values.map(\.1) == [44.23943737541908, 1])
        #expect(b.dashboardURL == "https://play.grafana.org/d/dashboard-uid" && b.valueString?.hasPrefix("[ var='B'") == true)
        #expect(a.startsAt == RelayFixtures.date("2021-10-12T07:51:03.157076Z"))
    }

    @Test func unknownFieldsAreIgnoredAndNullMapsAreEmpty() throws {
        let text = #"""
            {"status": "resolved", "groupKey": "g", "future": {"nested": [1, 2]}, "commonAnnotations": null, "groupLabels": null,
             "alerts": [{"status": "resolved", "labels": {"alertname": "A"}, "annotations": null, "startsAt": "2026-03-01T10:00:00z",
                         "endsAt": "2026-03-01T10:05:00.000000001Z", "somethingNew": true}]}
            """#
        let n = try RelayNotification.parse(Array(text.utf8))
        #expect(n.version == "4", "an absent version is Alertmanager's")
        #expect(n.commonAnnotations.isEmpty && n.groupLabels.isEmpty && n.alerts[0].annotations.isEmpty)
        #expect(n.alerts[0].generatorURL == "" && n.alerts[0].fingerprint == "" && n.receiver == "")
    }

    /// One fixture per way a body can be wrong, each with the exact message the sender gets back.
    static let invalid: [(String, String)] = [
        ("invalid-empty-body.json", "body: is empty; expected an Alertmanager or Grafana webhook JSON object"),
        ("invalid-not-utf8.json", "body: is not UTF-8 text"),
        ("invalid-top-level-array.json", "body: must be a JSON object, not an array"),
        ("invalid-missing-status.json", "status: is required"),
        ("invalid-status-value.json", #"status: "burning" is neither "firing" nor "resolved""#),
        ("invalid-status-type.json", "status: must be a string, not a number"),
        ("invalid-missing-groupkey.json", "groupKey: is required"),
        ("invalid-empty-groupkey.json", "groupKey: must not be empty"),
        ("invalid-missing-alerts.json", "alerts: is required"),
        ("invalid-alerts-empty.json", "alerts: must hold at least one alert"),
        ("invalid-alerts-not-array.json", "alerts: must be an array, not an object"),
        ("invalid-too-many-alerts.json", "alerts: holds 1001 alerts, more than 1000"),
        ("invalid-alert-not-object.json", "alerts[0]: must be an object, not a string"),
        ("invalid-alert-missing-labels.json", "alerts[0].labels: is required"),
        ("invalid-alert-labels-not-object.json", "alerts[0].labels: must be an object, not an array"),
        ("invalid-label-value-number.json", "alerts[1].labels.severity: must be a string, not a number"),
        ("invalid-odd-label-name-value.json", #"alerts[0].labels["team.name"]: must be a string, not a boolean"#),
        ("invalid-label-name-empty.json", "alerts[0].labels: has an entry with an empty name"),
        ("invalid-label-name-too-long.json", #"alerts[0].labels: has a name longer than 256 bytes: ""# + String(repeating: "n", count: 61) + #"...""#),
        ("invalid-label-value-too-long.json", "alerts[0].labels.instance: is longer than 4096 bytes"),
        ("invalid-too-many-labels.json", "alerts[0].labels: has 257 entries, more than 256"),
        ("invalid-annotation-too-long.json", "alerts[0].annotations.description: is longer than 16384 bytes"),
        ("invalid-alert-missing-status.json", "alerts[0].status: is required"),
        ("invalid-alert-status-value.json", #"alerts[0].status: "pending" is neither "firing" nor "resolved""#),
        ("invalid-alert-missing-startsat.json", "alerts[0].startsAt: is required"),
        ("invalid-alert-startsat-text.json", #"alerts[2].startsAt: "yesterday" is not an RFC 3339 time"#),
        ("invalid-alert-startsat-date-only.json", #"alerts[0].startsAt: "2026-03-01" is not an RFC 3339 time"#),
        ("invalid-alert-startsat-no-such-day.json", #"alerts[0].startsAt: "2026-02-30T10:00:00Z" is not an RFC 3339 time"#),
        ("invalid-alert-startsat-zero.json", "alerts[0].startsAt: 0001-01-01T00:00:00Z (Go's zero time) is not a start time"),
        ("invalid-alert-startsat-before-1970.json", #"alerts[0].startsAt: "1969-12-31T23:59:59Z" is outside the years 1970-9999"#),
        ("invalid-alert-endsat-before-startsat.json", "alerts[2].endsAt: is before startsAt"),
        ("invalid-alert-endsat-number.json", "alerts[0].endsAt: must be a string, not a number"),
        ("invalid-generator-url-type.json", "alerts[0].generatorURL: must be a string, not an array"),
        ("invalid-version.json", #"version: "5" is not a supported webhook version ("4" from Alertmanager, "1" from Grafana)"#),
        ("invalid-truncated-negative.json", "truncatedAlerts: must be a whole number from 0 to 1000000000"),
        ("invalid-truncated-fraction.json", "truncatedAlerts: must be a whole number from 0 to 1000000000"),
        ("invalid-truncated-string.json", "truncatedAlerts: must be a number, not a string"),
        ("invalid-group-label-null.json", "groupLabels.alertname: must be a string, not null"),
        ("invalid-common-annotations-string.json", "commonAnnotations: must be an object, not a string"),
        ("invalid-external-url-type.json", "externalURL: must be a string, not a boolean"),
        ("invalid-grafana-value-string.json", "alerts[0].values.B: must be a number, not a string"),
        ("invalid-grafana-silence-url-type.json", "alerts[1].silenceURL: must be a string, not a number"),
    ]

    @Test(arguments: invalid)
    func invalidBodyIsRefusedNamingTheField(file: String, message: String) throws {
        let body = try RelayFixtures.bytes(file)
        do {
            _ = try RelayNotification.parse(body)
            Issue.record("\(file) was accepted")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test(arguments: ["invalid-not-json.json", "invalid-too-deep.json"])
    func notJSONIsRefusedAsABody(file: String) throws {
        let body = try RelayFixtures.bytes(file)
        do {
            _ = try RelayNotification.parse(body)
            Issue.record("\(file) was accepted")
        } catch {
            #expect(error.path == "body")
            #expect(error.description.hasPrefix("body: is not valid JSON"), "\(error.description)")
            #expect(!error.description.contains("\n") && error.description.count < 250)
        }
    }

    @Test func everyFixtureIsUsed() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: RelayFixtures.directory.path).filter { $0.hasPrefix("invalid-") }
        let covered = Set(Self.invalid.map(\.0) + ["invalid-not-json.json", "invalid-too-deep.json"])
        #expect(Set(files) == covered)
    }
}
