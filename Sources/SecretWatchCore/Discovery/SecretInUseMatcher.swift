import Foundation

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
        let apps = applications.filter { $0.appId.caseInsensitiveCompare(clientId) == .orderedSame }
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
}
