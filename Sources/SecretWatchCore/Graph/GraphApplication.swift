import FoundationEssentials

/// An app registration (or a service principal) as Microsoft Graph lists it, with its tags, secrets and
/// certificates. The `hint` is the first three characters of a secret (Graph's own, read-only); nothing else of a
/// secret is ever in Graph's answer.
public struct GraphApplication: Sendable, Equatable {
    /// The object id.
    public var id: String
    /// The application (client) id.
    public var appId: String
    public var displayName: String?
    /// The app's tags (`discovery` filters by them); none when Graph lists none or null.
    public var tags: [String]
    public var passwordCredentials: [GraphPasswordCredential]
    public var keyCredentials: [GraphKeyCredential]

    public init(id: String, appId: String, displayName: String?, tags: [String] = [],
                passwordCredentials: [GraphPasswordCredential], keyCredentials: [GraphKeyCredential]) {
        self.id = id
        self.appId = appId
        self.displayName = displayName
        self.tags = tags
        self.passwordCredentials = passwordCredentials
        self.keyCredentials = keyCredentials
    }
}

/// One client secret of an app (`passwordCredentials[]`).
public struct GraphPasswordCredential: Sendable, Equatable {
    public var keyId: String
    public var displayName: String?
    public var hint: String?
    public var startDateTime: Date?
    public var endDateTime: Date?
}

/// One certificate (or other key) of an app (`keyCredentials[]`); `customKeyIdentifier` is a certificate's
/// SHA-1 thumbprint.
public struct GraphKeyCredential: Sendable, Equatable {
    public var keyId: String
    public var displayName: String?
    public var type: String?
    public var usage: String?
    public var customKeyIdentifier: String?
    public var startDateTime: Date?
    public var endDateTime: Date?
}

/// One page of `GET /v1.0/applications` (or `/v1.0/servicePrincipals`): its entries and the `@odata.nextLink`, if any.
struct GraphPage: Sendable {
    var applications: [GraphApplication]
    var nextLink: String?

    /// What is wrong with a page, by the JSON path of the offending value.
    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    static func parse(_ body: Data) throws(Problem) -> GraphPage {
        guard let object = JSONValue.parse(body)?.object else {
            throw Problem(description: "the body is not a JSON object")
        }
        guard let values = object["value"]?.array else { throw Problem(description: "no \"value\" array") }
        var next: String?
        switch object["@odata.nextLink"] {
        case nil, .null?: next = nil
        case .string(let link)?: next = link
        default: throw Problem(description: "@odata.nextLink is not a string")
        }
        var apps: [GraphApplication] = []
        apps.reserveCapacity(values.count)
        for (i, value) in values.enumerated() {
            apps.append(try application(value, at: "value[\(i)]"))
        }
        return GraphPage(applications: apps, nextLink: next)
    }

    static func application(_ value: JSONValue, at path: String) throws(Problem) -> GraphApplication {
        guard let o = value.object else { throw Problem(description: "\(path) is not an object") }
        let id = try string(o, "id", at: path), appId = try string(o, "appId", at: path)
        let passwords = try list(o, "passwordCredentials", at: path).enumerated().map { (i, c) throws(Problem) in
            let at = "\(path).passwordCredentials[\(i)]"
            return GraphPasswordCredential(keyId: try string(c, "keyId", at: at), displayName: try optional(c, "displayName", at: at),
                                           hint: try optional(c, "hint", at: at), startDateTime: try date(c, "startDateTime", at: at),
                                           endDateTime: try date(c, "endDateTime", at: at))
        }
        let keys = try list(o, "keyCredentials", at: path).enumerated().map { (i, c) throws(Problem) in
            let at = "\(path).keyCredentials[\(i)]"
            return GraphKeyCredential(keyId: try string(c, "keyId", at: at), displayName: try optional(c, "displayName", at: at),
                                      type: try optional(c, "type", at: at), usage: try optional(c, "usage", at: at),
                                      customKeyIdentifier: try optional(c, "customKeyIdentifier", at: at),
                                      startDateTime: try date(c, "startDateTime", at: at), endDateTime: try date(c, "endDateTime", at: at))
        }
        return GraphApplication(id: id, appId: appId, displayName: try optional(o, "displayName", at: path),
                                tags: try strings(o, "tags", at: path), passwordCredentials: passwords, keyCredentials: keys)
    }

    private static func string(_ o: [String: JSONValue], _ key: String, at path: String) throws(Problem) -> String {
        guard let value = o[key]?.string, !value.isEmpty else { throw Problem(description: "\(path).\(key) is missing or not a string") }
        return value
    }

    private static func optional(_ o: [String: JSONValue], _ key: String, at path: String) throws(Problem) -> String? {
        switch o[key] {
        case nil, .null?: return nil
        case .string(let value)?: return value
        default: throw Problem(description: "\(path).\(key) is not a string")
        }
    }

    private static func date(_ o: [String: JSONValue], _ key: String, at path: String) throws(Problem) -> Date? {
        guard let text = try optional(o, key, at: path) else { return nil }
        guard let date = Timestamps.parse(text) else { throw Problem(description: "\(path).\(key) is not a date: \(text.prefix(40))") }
        return date
    }

    /// An absent or null list of strings is empty; anything else must be a list of strings.
    private static func strings(_ o: [String: JSONValue], _ key: String, at path: String) throws(Problem) -> [String] {
        switch o[key] {
        case nil, .null?: return []
        case .array(let items)?:
            var strings: [String] = []
            for (i, item) in items.enumerated() {
                guard let string = item.string else { throw Problem(description: "\(path).\(key)[\(i)] is not a string") }
                strings.append(string)
            }
            return strings
        default: throw Problem(description: "\(path).\(key) is not a list")
        }
    }

    /// An absent or null collection is empty (a `$select` without it); anything else must be a list of objects.
    private static func list(_ o: [String: JSONValue], _ key: String, at path: String) throws(Problem) -> [[String: JSONValue]] {
        switch o[key] {
        case nil, .null?: return []
        case .array(let items)?:
            var objects: [[String: JSONValue]] = []
            for (i, item) in items.enumerated() {
                guard let object = item.object else { throw Problem(description: "\(path).\(key)[\(i)] is not an object") }
                objects.append(object)
            }
            return objects
        default: throw Problem(description: "\(path).\(key) is not a list")
        }
    }
}
