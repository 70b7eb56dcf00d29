import Foundation
import SecretWatchStandIns
import Testing

/// Applications given to the Graph stand-in as JSON in Graph's shape (`POST /graph/applications`,
/// `--graph-applications-file`): what is read, and each bad input refused with the path of the field.
@Suite("Graph stand-in: applications as JSON")
struct StandInApplicationJSONTests {
    static let good = #"""
        {"id": "obj-1", "appId": "app-1", "displayName": "Mail relay", "tags": ["prod"],
         "passwordCredentials": [{"keyId": "k-1", "displayName": "2026", "hint": "Qx7", "secretText": null, "customKeyIdentifier": null,
                                  "startDateTime": "2026-01-10T08:00:00Z", "endDateTime": "2027-01-10T08:00:00.123Z"}],
         "keyCredentials": [{"keyId": "k-2", "displayName": "CN=relay", "type": "AsymmetricX509Cert", "usage": "Sign", "key": null,
                             "customKeyIdentifier": "52ED9B50", "startDateTime": "2026-01-10T08:00:00Z", "endDateTime": "2027-01-10T08:00:00Z"}]}
        """#

    @Test func aListAndAGraphAnswerAreRead() throws {
        let list = try StandInApplication.decodeList(Data("[\(Self.good)]".utf8))
        let answer = try StandInApplication.decodeList(Data(#"{"@odata.context": "x", "value": [\#(Self.good)]}"#.utf8))
        #expect(list == answer)
        let app = try #require(list.first)
        #expect(app.id == "obj-1" && app.appId == "app-1" && app.displayName == "Mail relay" && app.tags == ["prod"])
        let secret = try #require(app.passwordCredentials.first)
        #expect(secret.keyId == "k-1" && secret.displayName == "2026" && secret.hint == "Qx7")
        #expect(secret.startDateTime == Date(timeIntervalSince1970: 1_768_032_000))
        #expect(secret.endDateTime.timeIntervalSince1970 == 1_799_568_000.123)
        let key = try #require(app.keyCredentials.first)
        #expect(key.usage == "Sign" && key.type == "AsymmetricX509Cert" && key.customKeyIdentifier == "52ED9B50")
    }

    @Test func defaultsForWhatGraphMayLeaveOut() throws {
        let json = #"[{"id": "o", "appId": "a", "displayName": "d", "keyCredentials": [{"keyId": "k", "startDateTime": "2026-01-10T08:00:00Z", "endDateTime": "2027-01-10T08:00:00+02:00"}]}]"#
        let app = try #require(try StandInApplication.decodeList(Data(json.utf8)).first)
        #expect(app.tags == [] && app.passwordCredentials == [])
        #expect(app.keyCredentials.first?.type == "AsymmetricX509Cert" && app.keyCredentials.first?.usage == "Verify")
        #expect(app.keyCredentials.first?.endDateTime == Date(timeIntervalSince1970: 1_799_568_000 - 2 * 3600))
    }

    /// One bad input each: the JSON, the field named, and the problem.
    static let bad: [(String, String, String)] = [
        ("not json", "", "not JSON"),
        (#"{"apps": []}"#, "", "expected a JSON list of applications"),
        (#"[7]"#, "[0]", "is not an object"),
        (#"[{"appId": "a", "displayName": "d"}]"#, "[0].id", "is missing or empty"),
        (#"[{"id": "o", "appId": "", "displayName": "d"}]"#, "[0].appId", "is missing or empty"),
        (#"[{"id": "o", "appId": "a", "displayName": 3}]"#, "[0].displayName", "is not a string"),
        (#"[{"id": "o", "appId": "a", "displayName": "d", "tag": ["x"]}]"#, "[0].tag", "is not a property the stand-in knows"),
        (#"[{"id": "o", "appId": "a", "displayName": "d", "tags": "x"}]"#, "[0].tags", "is not a list"),
        (#"[{"id": "o", "appId": "a", "displayName": "d", "tags": [1]}]"#, "[0].tags[0]", "is not a string"),
        (#"[{"id": "o", "appId": "a", "displayName": "d", "passwordCredentials": {}}]"#, "[0].passwordCredentials", "is not a list"),
        (#"[{"id": "o", "appId": "a", "displayName": "d", "passwordCredentials": [{"keyId": "k", "startDateTime": "2026-01-10T08:00:00Z"}]}]"#,
         "[0].passwordCredentials[0].endDateTime", "is missing"),
        (#"[{"id": "o", "appId": "a", "displayName": "d", "passwordCredentials": [{"keyId": "k", "startDateTime": "2026-02-30T08:00:00Z", "endDateTime": "2027-01-10T08:00:00Z"}]}]"#,
         "[0].passwordCredentials[0].startDateTime", "is not a date"),
        (#"[{"id": "o", "appId": "a", "displayName": "d", "passwordCredentials": [{"keyId": "k", "startDateTime": "10/01/2026", "endDateTime": "2027-01-10T08:00:00Z"}]}]"#,
         "[0].passwordCredentials[0].startDateTime", "is not a date"),
        (#"[{"id": "o", "appId": "a", "displayName": "d", "passwordCredentials": [{"keyId": "k", "secretText": "Qx7~whole-secret", "startDateTime": "2026-01-10T08:00:00Z", "endDateTime": "2027-01-10T08:00:00Z"}]}]"#,
         "[0].passwordCredentials[0].secretText", "must be null: the stand-in never holds a secret"),
        (#"[{"id": "o", "appId": "a", "displayName": "d", "passwordCredentials": [{"keyId": "k", "hint": "Qx7~whole-secret", "startDateTime": "2026-01-10T08:00:00Z", "endDateTime": "2027-01-10T08:00:00Z"}]}]"#,
         "[0].passwordCredentials[0].hint", "is at most three characters"),
        (#"[{"id": "o", "appId": "a", "displayName": "d", "keyCredentials": [{"keyId": "k", "key": "MIIB", "startDateTime": "2026-01-10T08:00:00Z", "endDateTime": "2027-01-10T08:00:00Z"}]}]"#,
         "[0].keyCredentials[0].key", "must be null"),
        (#"{"value": [{"id": "o", "appId": "a", "displayName": "d", "keyCredentials": [{"keyId": "k", "startDateTime": "2026-01-10T08:00:00Z", "endDateTime": "2027-01-10T08:00:00Z"}, {"keyId": "k", "startDateTime": "2026-01-10T08:00:00Z", "endDateTime": "2027-01-10T08:00:00Z"}]}]}"#,
         "value[0].keyCredentials[1].keyId", "k is the key id of another credential"),
    ]

    @Test(arguments: bad)
    func badInputIsRefusedNamingTheField(json: String, field: String, problem: String) {
        do {
            let apps = try StandInApplication.decodeList(Data(json.utf8))
            Issue.record("accepted: \(apps)")
        } catch {
            #expect(error.field == field)
            #expect(error.problem.hasPrefix(problem), "\(error.problem)")
            #expect(!error.description.contains("whole-secret"))
        }
    }

    @Test func forSecretKeepsOnlyTheHint() throws {
        let secret = "Zq8~a-canary-secret-value-0042"
        let start = Date(timeIntervalSince1970: 1_790_000_000), end = Date(timeIntervalSince1970: 1_830_000_000)
        let credential = StandInPasswordCredential.forSecret(secret, keyId: "k-1", displayName: "in use", start: start, end: end)
        #expect(credential.hint == "Zq8" && credential.keyId == "k-1" && credential.displayName == "in use")
        #expect(credential.startDateTime == start && credential.endDateTime == end)
        #expect(!String(describing: credential).contains("canary"))
        let app = StandInApplication(id: "o", appId: "a", displayName: "d", passwordCredentials: [credential])
        #expect(!String(describing: app).contains("canary"))
    }

    @Test func generatedAppsHaveOneSecretAndOneCertificateEachWithUniqueKeyIds() {
        let apps = StandInApplication.generated(count: 10_000, now: Date(timeIntervalSince1970: 1_800_000_000))
        #expect(apps.count == 10_000)
        #expect(apps.allSatisfy { $0.passwordCredentials.count == 1 && $0.keyCredentials.count == 1 })
        let keyIds = apps.flatMap { $0.passwordCredentials.map(\.keyId) + $0.keyCredentials.map(\.keyId) }
        #expect(Set(keyIds).count == 20_000)
        #expect(Set(apps.map(\.appId)).count == 10_000 && Set(apps.map(\.id)).count == 10_000)
        #expect(Set(apps.map(\.appId)).isDisjoint(with: keyIds))
        #expect(apps[41].passwordCredentials[0].hint == "s1~")
        #expect(apps == StandInApplication.generated(count: 10_000, now: Date(timeIntervalSince1970: 1_800_000_000)))
    }
}
