import Foundation

/// What is wrong with a list of applications given to the Graph stand-in, by the JSON path of the offending value
/// (`[2].passwordCredentials[0].endDateTime`).
public struct StandInApplicationsError: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var problem: String

    public var description: String { field.isEmpty ? problem : "\(field): \(problem)" }
}

extension StandInApplication {
    /// Applications in Graph's shape, from a JSON list of them or from a Graph answer (`{"value": [...]}`), as
    /// `POST /graph/applications` and `--graph-applications-file` take them. Every property is checked by name:
    /// an unknown one, a missing id, a date that is not one, or a `secretText` (the stand-in never holds a secret:
    /// give its `hint`, at most three characters) is refused with the path of the value.
    public static func decodeList(_ data: Data) throws(StandInApplicationsError) -> [StandInApplication] {
        guard let parsed = try? JSONSerialization.jsonObject(with: data) else {
            throw StandInApplicationsError(field: "", problem: "not JSON")
        }
        return try decodeList(parsed)
    }

    /// The same, from JSON already parsed.
    public static func decodeList(_ parsed: Any) throws(StandInApplicationsError) -> [StandInApplication] {
        let items: [Any], prefix: String
        if let list = parsed as? [Any] {
            (items, prefix) = (list, "")
        } else if let object = parsed as? [String: Any], let list = object["value"] as? [Any] {
            (items, prefix) = (list, "value")
        } else {
            throw StandInApplicationsError(field: "", problem: "expected a JSON list of applications (or a Graph answer with a \"value\" list)")
        }
        guard items.count <= GraphStandIn.maximumApplications else {
            throw StandInApplicationsError(field: prefix, problem: "more than \(GraphStandIn.maximumApplications) applications")
        }
        var apps: [StandInApplication] = []
        apps.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            apps.append(try application(JSONFields(item, at: "\(prefix)[\(i)]", known: properties)))
        }
        return apps
    }

    static func application(_ o: JSONFields) throws(StandInApplicationsError) -> StandInApplication {
        var passwords: [StandInPasswordCredential] = []
        for (i, item) in try o.list("passwordCredentials").enumerated() {
            let c = try JSONFields(item, at: "\(o.path).passwordCredentials[\(i)]", known: StandInPasswordCredential.properties)
            if try c.optional("secretText") != nil {
                throw c.error("secretText", "must be null: the stand-in never holds a secret (give its hint, the first three characters)")
            }
            _ = try c.optional("customKeyIdentifier")
            let hint = try c.optional("hint")
            if let hint, hint.count > 3 { throw c.error("hint", "is at most three characters (Graph's hint is the start of the secret)") }
            passwords.append(StandInPasswordCredential(keyId: try c.string("keyId"), displayName: try c.optional("displayName"), hint: hint,
                                                       startDateTime: try c.date("startDateTime"), endDateTime: try c.date("endDateTime")))
        }
        var keys: [StandInKeyCredential] = []
        for (i, item) in try o.list("keyCredentials").enumerated() {
            let c = try JSONFields(item, at: "\(o.path).keyCredentials[\(i)]", known: StandInKeyCredential.properties)
            if try c.optional("key") != nil { throw c.error("key", "must be null (Graph lists no key material)") }
            keys.append(StandInKeyCredential(keyId: try c.string("keyId"), displayName: try c.optional("displayName"),
                                             type: try c.optional("type") ?? "AsymmetricX509Cert", usage: try c.optional("usage") ?? "Verify",
                                             customKeyIdentifier: try c.optional("customKeyIdentifier"),
                                             startDateTime: try c.date("startDateTime"), endDateTime: try c.date("endDateTime")))
        }
        var seen: Set<String> = []
        for (i, keyId) in (passwords.map(\.keyId) + keys.map(\.keyId)).enumerated() where !seen.insert(keyId).inserted {
            let field = i < passwords.count ? "passwordCredentials[\(i)]" : "keyCredentials[\(i - passwords.count)]"
            throw o.error(field + ".keyId", "\(keyId) is the key id of another credential of this application")
        }
        return StandInApplication(id: try o.string("id"), appId: try o.string("appId"), displayName: try o.string("displayName"),
                                  tags: try o.strings("tags"), passwordCredentials: passwords, keyCredentials: keys)
    }
}

extension StandInPasswordCredential {
    /// The properties a password credential may have in the stand-in's input (Graph's names).
    static let properties = ["keyId", "displayName", "hint", "startDateTime", "endDateTime", "secretText", "customKeyIdentifier"]
}

extension StandInKeyCredential {
    /// The properties a key credential may have in the stand-in's input (Graph's names).
    static let properties = ["keyId", "displayName", "type", "usage", "customKeyIdentifier", "startDateTime", "endDateTime", "key"]
}
