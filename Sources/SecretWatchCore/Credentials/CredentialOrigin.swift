import FoundationEssentials

/// Where a watched credential comes from. Raw values are stable: they are metric labels and API values.
public enum CredentialSource: String, Sendable, Codable, CaseIterable {
    /// Written in the configuration (`smtp.auth`, `credentials[]`, a discovery tenant's reader app).
    case config
    /// Read from Microsoft Graph by discovery: one of an app's `passwordCredentials` or `keyCredentials`.
    case graph
}

/// What kind of credential it is. Raw values are stable (metric labels, API values).
public enum CredentialType: String, Sendable, Codable, CaseIterable {
    /// A client secret (`passwordCredentials`).
    case secret
    /// A certificate or other key (`keyCredentials`).
    case certificate
}

/// What discovery found out about the secret a configured credential actually uses, by comparing the first three
/// characters of that secret (in memory only) with the `hint` Graph gives for each of the app's secrets. Nothing of
/// the secret itself is kept: only this outcome.
public struct SecretInUse: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Codable, CaseIterable {
        /// Exactly one of the app's secrets has the hint of the secret in use.
        case matched
        /// Several of the app's secrets share that hint: which one is in use cannot be told.
        case ambiguous
        /// The app is listed, but none of its secrets has that hint: the secret in use was deleted in Entra (or
        /// never belonged to this app); the next token request with it will fail.
        case notInEntra = "not_in_entra"
        /// The tenant was listed and the app (client id) is not in it.
        case appNotFound = "app_not_found"
    }

    public var state: State
    /// The key id of the secret in use (`matched` only).
    public var keyId: String?
    /// Its `endDateTime` in Graph (`matched`; for `ambiguous` the earliest of the candidates'); the expiry alarms
    /// use it instead of the configured date.
    public var expiresAt: Date?
    /// When a secret of the same app created after the one in use was created (rotation in progress: the newer
    /// secret is not deployed yet); nil when the secret in use is the newest.
    public var newerSecretCreatedAt: Date?
    /// When discovery last decided this.
    public var decidedAt: Date

    public init(state: State, keyId: String? = nil, expiresAt: Date? = nil, newerSecretCreatedAt: Date? = nil, decidedAt: Date) {
        self.state = state
        self.keyId = keyId
        self.expiresAt = expiresAt
        self.newerSecretCreatedAt = newerSecretCreatedAt
        self.decidedAt = decidedAt
    }

    /// Whether a newer secret exists that is not deployed yet.
    public var rotationInProgress: Bool { state == .matched && newerSecretCreatedAt != nil }
}
