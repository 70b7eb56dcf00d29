import Foundation
import Synchronization

/// Keeps secrets out of every text that leaves the process: log lines, stored history, CLI output, API answers,
/// e-mails. Three layers: exact values registered when they are read or sent (client secrets, access tokens, the
/// XOAUTH2 initial response and its base64); patterns that catch secret-shaped text nobody registered (bearer
/// headers, `client_secret=` form fields, `access_token` JSON members, XOAUTH2 blobs); and base64 runs that decode
/// to a bearer credential or a registered secret (a server that echoes the client's AUTH argument).
public final class Redactor: Sendable {
    public static let shared = Redactor()
    public static let mask = "[REDACTED]"

    /// Registered values, longest first (so a secret that contains another is masked whole), kept sorted at
    /// registration: `scrub` runs on every log line, reply and trace line, so it must not sort or allocate.
    private let secrets = Mutex<[String]>([])

    public init() {}

    /// Registers a secret value; every later `scrub` replaces it. Values shorter than 6 characters are
    /// not registered: they would mask ordinary words and are not real secrets anyway.
    public func register(_ secret: String) {
        let trimmed = secret.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.count >= 6 else { return }
        var values = [trimmed]
        // The URL-encoded form is what travels in a token request body.
        if let encoded = trimmed.addingPercentEncoding(withAllowedCharacters: .alphanumerics), encoded != trimmed {
            values.append(encoded)
        }
        secrets.withLock { list in
            let before = list.count
            for value in values where !list.contains(value) { list.append(value) }
            if list.count != before { list.sort { $0.utf8.count > $1.utf8.count } }
        }
    }

    public func forget(_ secret: String) {
        let trimmed = secret.trimmingCharacters(in: .whitespacesAndNewlines)
        secrets.withLock { $0.removeAll { $0 == trimmed } }
    }

    /// Field names whose values are always masked, in log metadata and key=value text.
    public static let sensitiveKeys: Set<String> = [
        "client_secret", "secret", "access_token", "token", "authorization", "password", "bearer",
        "client_assertion", "api_token", "proxy_password",
    ]

    public func scrub(_ text: String) -> String {
        var out = text
        let known = secrets.withLock { $0 }
        let length = text.utf8.count
        for secret in known where secret.utf8.count <= length && Self.containsBytes(out, secret) {
            out = out.replacingOccurrences(of: secret, with: Redactor.mask)
        }
        let lower = Self.asciiLowercased(out)
        for pattern in SecretPattern.all where pattern.triggers.contains(where: { Self.contains(lower, $0) }) {
            out = pattern.replaceValues(in: out, with: Redactor.mask)
        }
        return EncodedSecrets.mask(in: out, secrets: known)
    }

    public static func scrub(_ text: String) -> String { shared.scrub(text) }

    /// Whether `haystack` contains `needle` (lowercase ASCII) in any ASCII case, byte-wise. Replaces
    /// `haystack.lowercased().contains(needle)`, which searched through CFString on every scrubbed SMTP reply
    /// and trace line (a tenth of the mailer's CPU in the mail benchmark's profile).
    static func containsIgnoringASCIICase(_ haystack: String, _ needle: String) -> Bool {
        contains(asciiLowercased(haystack), needle)
    }

    /// The UTF-8 bytes with ASCII letters lowercased (other bytes as they are): made once per scrubbed text.
    static func asciiLowercased(_ text: String) -> [UInt8] {
        text.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
    }

    /// Byte-wise substring test of a byte array.
    static func contains(_ haystack: [UInt8], _ needle: String) -> Bool {
        var needle = needle
        return needle.withUTF8 { n in
            haystack.withUnsafeBufferPointer { h in find(n, in: h) }
        }
    }

    /// Byte-wise substring test (memchr for the first byte, then memcmp): Foundation's `contains` goes through
    /// CFString and showed up in the mail benchmark's profile, since every SMTP reply is scrubbed.
    static func containsBytes(_ haystack: String, _ needle: String) -> Bool {
        var haystack = haystack, needle = needle
        return haystack.withUTF8 { h in needle.withUTF8 { n in find(n, in: h) } }
    }

    /// memchr for the needle's first byte, then memcmp.
    private static func find(_ n: UnsafeBufferPointer<UInt8>, in h: UnsafeBufferPointer<UInt8>) -> Bool {
        if n.isEmpty { return true }
        guard let nb = n.baseAddress, let hb = h.baseAddress, n.count <= h.count else { return false }
        let first = Int32(nb.pointee)
        var offset = 0
        let last = h.count - n.count
        while offset <= last {
            guard let hit = memchr(hb + offset, first, last - offset + 1) else { return false }
            let position = UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - hb
            if memcmp(hb + position, nb, n.count) == 0 { return true }
            offset = position + 1
        }
        return false
    }
}
