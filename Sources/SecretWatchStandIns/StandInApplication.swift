import Foundation

/// An app registration (or a service principal) as the Graph stand-in lists it: `id`, `appId`, `displayName`,
/// `tags`, `passwordCredentials` and `keyCredentials`, with Graph's property names. A password credential keeps
/// only the hint (the first three characters of its secret), as Graph does: the stand-in never holds a secret it
/// could leak.
public struct StandInApplication: Sendable, Equatable {
    public var id: String
    public var appId: String
    public var displayName: String
    public var tags: [String]
    public var passwordCredentials: [StandInPasswordCredential]
    public var keyCredentials: [StandInKeyCredential]

    /// The properties Graph's `$select` accepts here (others are refused as Graph refuses unknown properties).
    public static let properties = ["id", "appId", "displayName", "tags", "passwordCredentials", "keyCredentials"]

    public init(id: String, appId: String, displayName: String, tags: [String] = [],
                passwordCredentials: [StandInPasswordCredential] = [], keyCredentials: [StandInKeyCredential] = []) {
        self.id = id
        self.appId = appId
        self.displayName = displayName
        self.tags = tags
        self.passwordCredentials = passwordCredentials
        self.keyCredentials = keyCredentials
    }

    /// The JSON object, with only the `select`ed properties (all when nil).
    func json(select: [String]?) -> [String: Any] {
        let all: [String: Any] = [
            "id": id, "appId": appId, "displayName": displayName, "tags": tags,
            "passwordCredentials": passwordCredentials.map(\.json), "keyCredentials": keyCredentials.map(\.json),
        ]
        guard let select else { return all }
        return all.filter { select.contains($0.key) }
    }

    /// `count` apps with deterministic ids, each with exactly one secret and one certificate (so 10,000 apps hold
    /// 20,000 credentials), whose expiry dates spread over the next 400 days from `now` (the demo, the paging tests
    /// and the benchmark). Object ids, app ids and key ids are unique across all of them and stable from one call
    /// to the next; the secret of app `i` has the hint `s<i mod 10>~`.
    public static func generated(count: Int, now: Date = Date()) -> [StandInApplication] {
        (0..<max(0, count)).map { i in
            let day: TimeInterval = 86_400
            let created = now.addingTimeInterval(-Double(30 + i % 300) * day)
            return StandInApplication(
                id: guid(i, kind: 0xa), appId: guid(i, kind: 0xc), displayName: "stand-in app \(i + 1)",
                passwordCredentials: [StandInPasswordCredential(
                    keyId: guid(i, kind: 0x5), displayName: "secret \(i + 1)", secret: "s\(i % 10)~stand-in-secret-\(i)",
                    startDateTime: created, endDateTime: now.addingTimeInterval(Double(1 + i % 400) * day))],
                keyCredentials: [StandInKeyCredential(
                    keyId: guid(i, kind: 0xe), displayName: "CN=stand-in app \(i + 1)",
                    customKeyIdentifier: String(format: "%040X", i + 1),
                    startDateTime: created, endDateTime: now.addingTimeInterval(Double(30 + i % 400) * day))])
        }
    }

    /// `0000002a-000a-4000-8000-00000000002a`: unique per (index, kind), shaped like Graph's GUIDs.
    static func guid(_ index: Int, kind: Int) -> String {
        String(format: "%08x-%04x-4000-8000-%012x", index, kind, index)
    }
}

/// One entry of `passwordCredentials`: `keyId`, `displayName`, `hint`, `startDateTime`, `endDateTime`, with
/// `secretText` and `customKeyIdentifier` null as Graph lists them.
public struct StandInPasswordCredential: Sendable, Equatable {
    public var keyId: String
    public var displayName: String?
    /// The first three characters of the secret (null for a secret Graph gives no hint of).
    public var hint: String?
    public var startDateTime: Date
    public var endDateTime: Date

    /// A credential as Graph lists it, from its hint (the stand-in never needs the secret itself).
    public init(keyId: String, displayName: String?, hint: String?, startDateTime: Date, endDateTime: Date) {
        self.keyId = keyId
        self.displayName = displayName
        self.hint = hint
        self.startDateTime = startDateTime
        self.endDateTime = endDateTime
    }

    /// The credential of a secret whose value is `secret`: only its first three characters are kept, as `hint`.
    public init(keyId: String, displayName: String?, secret: String, startDateTime: Date, endDateTime: Date) {
        self.init(keyId: keyId, displayName: displayName, hint: String(secret.prefix(3)), startDateTime: startDateTime,
                  endDateTime: endDateTime)
    }

    /// The credential of a secret whose value is `secret`, for tests and the demo that hold the secret the client
    /// uses: only the first three characters are kept, as `hint`; the value itself is not.
    public static func forSecret(_ secret: String, keyId: String, displayName: String?, start: Date,
                                 end: Date) -> StandInPasswordCredential {
        StandInPasswordCredential(keyId: keyId, displayName: displayName, secret: secret, startDateTime: start, endDateTime: end)
    }

    var json: [String: Any] {
        ["keyId": keyId, "displayName": displayName ?? NSNull(), "hint": hint ?? NSNull(), "secretText": NSNull(),
         "customKeyIdentifier": NSNull(), "startDateTime": GraphDate.string(startDateTime),
         "endDateTime": GraphDate.string(endDateTime)]
    }
}

/// One entry of `keyCredentials`: a certificate, with its SHA-1 thumbprint as `customKeyIdentifier`.
public struct StandInKeyCredential: Sendable, Equatable {
    public var keyId: String
    public var displayName: String?
    public var type: String
    public var usage: String
    public var customKeyIdentifier: String?
    public var startDateTime: Date
    public var endDateTime: Date

    public init(keyId: String, displayName: String?, type: String = "AsymmetricX509Cert", usage: String = "Verify",
                customKeyIdentifier: String?, startDateTime: Date, endDateTime: Date) {
        self.keyId = keyId
        self.displayName = displayName
        self.type = type
        self.usage = usage
        self.customKeyIdentifier = customKeyIdentifier
        self.startDateTime = startDateTime
        self.endDateTime = endDateTime
    }

    var json: [String: Any] {
        ["keyId": keyId, "displayName": displayName ?? NSNull(), "type": type, "usage": usage, "key": NSNull(),
         "customKeyIdentifier": customKeyIdentifier ?? NSNull(), "startDateTime": GraphDate.string(startDateTime),
         "endDateTime": GraphDate.string(endDateTime)]
    }
}
