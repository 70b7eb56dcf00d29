import Foundation
import Testing
@testable import SecretWatchCore

/// The de-duplication key: the same notification delivered again gives the same key, whatever order or form the
/// sender wrote it in; any change in what the e-mail would say about the alerts' state gives another.
@Suite("Relay de-duplication key")
struct RelayDeduplicationTests {
    @Test func keyIsSHA256HexAndStableAcrossVersions() throws {
        let n = try RelayFixtures.notification("alertmanager-firing.json")
        let key = n.deduplicationKey(receiver: "ops")
        #expect(key.count == 64 && key.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        // Pinned: a key that changed between releases would let a retry across an upgrade become a second e-mail.
        #expect(key == "9c6b90bbc1e939a2129388c5ff1052216a47cfff945b699ec86696d359aaf275")
    }

    @Test func reorderedAlertsAndLabelsAndAnotherTimeFormGiveTheSameKey() throws {
        let n = try RelayFixtures.notification("alertmanager-firing.json")
        var reordered = n
        reordered.alerts.reverse()
        reordered.alerts[0].labels.reverse()
        reordered.alerts[0].annotations = []
        reordered.receiver = "another-name-in-the-body"
        #expect(reordered.deduplicationKey(receiver: "ops") == n.deduplicationKey(receiver: "ops"))
        // The same instant written with an offset instead of Z.
        var text = String(decoding: try RelayFixtures.bytes("alertmanager-firing.json"), as: UTF8.self)
        text = text.replacingOccurrences(of: "2026-03-01T11:20:03.5Z", with: "2026-03-01T12:20:03.500+01:00")
        let rewritten = try RelayNotification.parse(Array(text.utf8))
        #expect(rewritten.alerts[2].startsAt == n.alerts[2].startsAt)
        #expect(rewritten.deduplicationKey(receiver: "ops") == n.deduplicationKey(receiver: "ops"))
    }

    @Test func anyChangeInStateGivesAnotherKey() throws {
        let n = try RelayFixtures.notification("alertmanager-firing.json")
        let key = n.deduplicationKey(receiver: "ops")
        var ended = n
        ended.alerts[0].endsAt = n.alerts[0].startsAt.addingTimeInterval(600)
        var endedLater = ended
        endedLater.alerts[0].endsAt = n.alerts[0].startsAt.addingTimeInterval(601)
        var restarted = n
        restarted.alerts[1].startsAt.addTimeInterval(0.001)
        var resolved = n
        resolved.status = .resolved
        var regrouped = n
        regrouped.groupKey += "x"
        var fewer = n
        fewer.alerts.removeLast()
        var other = n
        other.alerts[0].fingerprint = "ffffffffffffffff"
        let keys = [key, ended.deduplicationKey(receiver: "ops"), endedLater.deduplicationKey(receiver: "ops"),
                    restarted.deduplicationKey(receiver: "ops"), resolved.deduplicationKey(receiver: "ops"),
                    regrouped.deduplicationKey(receiver: "ops"), fewer.deduplicationKey(receiver: "ops"),
                    other.deduplicationKey(receiver: "ops"), n.deduplicationKey(receiver: "ops2")]
        #expect(Set(keys).count == keys.count)
    }

    @Test func withoutFingerprintsTheLabelsIdentifyAnAlert() throws {
        let start = RelayFixtures.date("2026-03-01T10:00:00Z")
        func alert(_ instance: String) -> RelayAlert {
            RelayAlert(status: .firing, labels: [("alertname", "A"), ("instance", instance)], startsAt: start)
        }
        let one = RelayNotification(status: .firing, groupKey: "g", alerts: [alert("a"), alert("b")])
        let two = RelayNotification(status: .firing, groupKey: "g", alerts: [alert("a"), alert("c")])
        let swapped = RelayNotification(status: .firing, groupKey: "g", alerts: [alert("b"), alert("a")])
        #expect(one.deduplicationKey(receiver: "r") != two.deduplicationKey(receiver: "r"))
        #expect(one.deduplicationKey(receiver: "r") == swapped.deduplicationKey(receiver: "r"))
    }
}
