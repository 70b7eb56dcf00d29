import FoundationEssentials

/// Finds which of an app's secrets a configured credential actually uses, by the one thing Graph tells of a
/// secret's value: its `hint`, the first three characters. The secret itself is read by the caller, compared
/// here, and forgotten; only the outcome (`SecretInUse`) is kept.
public enum SecretInUseMatcher {
    /// The number of characters Graph's `hint` shows.
    public static let hintLength = 3

    /// - Parameters:
    ///   - secret: the secret the credential reads (its value, in memory only).
    ///   - clientId: the credential's app.
    ///   - applications: every app of the tenant as Graph listed it (before any filter).
    public static func match(secret: String, clientId: String, in applications: [GraphApplication], now: Date) -> SecretInUse {
        let apps = applications.filter { $0.appId.equalsIgnoringCase(clientId) }
        guard !apps.isEmpty else { return SecretInUse(state: .appNotFound, decidedAt: now) }
        let secrets = apps.flatMap(\.passwordCredentials)
        let prefix = String(secret.prefix(hintLength))
        let candidates = secrets.filter { $0.hint == prefix }
        guard let inUse = candidates.first else { return SecretInUse(state: .notInEntra, decidedAt: now) }
        guard candidates.count == 1 else {
            // Which one is in use cannot be told: the expiry is the earliest of theirs.
            return SecretInUse(state: .ambiguous, expiresAt: candidates.compactMap(\.endDateTime).min(), decidedAt: now)
        }
        // A newer secret that is still valid and not the one in use: created, not yet deployed.
        let newer = secrets
            .filter { $0.keyId != inUse.keyId && ($0.endDateTime.map { $0 > now } ?? true) }
            .compactMap(\.startDateTime)
            .filter { created in inUse.startDateTime.map { created > $0 } ?? false }
            .max()
        return SecretInUse(state: .matched, keyId: inUse.keyId, expiresAt: inUse.endDateTime, newerSecretCreatedAt: newer,
                           decidedAt: now)
    }

    /// The same for a certificate credential: its SHA-1 thumbprint (hex) against each of the app's certificates'
    /// `customKeyIdentifier` (hex, or base64 of the 20 bytes, as Graph may give it). `notInEntra`: the certificate
    /// is not registered on the app, and the next token request signed with it will fail.
    public static func match(thumbprint: String, clientId: String, in applications: [GraphApplication], now: Date) -> SecretInUse {
        let apps = applications.filter { $0.appId.equalsIgnoringCase(clientId) }
        guard !apps.isEmpty else { return SecretInUse(state: .appNotFound, decidedAt: now) }
        let certificates = apps.flatMap(\.keyCredentials)
        let wanted = thumbprint.uppercased()
        let candidates = certificates.filter { $0.customKeyIdentifier.map { Self.thumbprintHex($0) == wanted } ?? false }
        guard let inUse = candidates.first else { return SecretInUse(state: .notInEntra, decidedAt: now) }
        let newer = certificates
            .filter { $0.keyId != inUse.keyId && ($0.endDateTime.map { $0 > now } ?? true) }
            .compactMap(\.startDateTime)
            .filter { created in inUse.startDateTime.map { created > $0 } ?? false }
            .max()
        return SecretInUse(state: .matched, keyId: inUse.keyId, expiresAt: inUse.endDateTime, newerSecretCreatedAt: newer,
                           decidedAt: now)
    }

    /// A `customKeyIdentifier` as uppercase hex: already hex (40 digits), or base64 of the 20-byte thumbprint.
    static func thumbprintHex(_ identifier: String) -> String {
        let trimmed = identifier.replacingEvery(":", with: "")
        if trimmed.count == 40, trimmed.allSatisfy(\.isHexDigit) { return trimmed.uppercased() }
        guard let bytes = Data(base64Encoded: identifier), bytes.count == 20 else { return trimmed.uppercased() }
        return bytes.map { String(cFormat: "%02X", $0) }.joined()
    }
}
