import FoundationEssentials
import Glibc
import Synchronization
internal import SecretWatchCurl

/// Keeps secrets out of every text that leaves the process: log lines, stored history, CLI output, API answers,
/// e-mails. Three layers: exact values registered when they are read or sent (client secrets, access tokens, the
/// XOAUTH2 initial response and its base64); patterns that catch secret-shaped text nobody registered (bearer
/// headers, `client_secret=` form fields, `access_token` JSON members, XOAUTH2 blobs); and base64 runs that decode
/// to a bearer credential or a registered secret (a server that echoes the client's AUTH argument).
public final class Redactor: Sendable {
    public static let shared = Redactor()
    public static let mask = "[REDACTED]"

    private struct Registry {
        /// Values that stay secret for the life of the process (client secrets, proxy passwords, the API token).
        var lasting: [String] = []
        /// Values that matter while in use (access tokens, the XOAUTH2 initial responses made from them), oldest
        /// first; only the newest `ephemeralLimit` are kept, so a daemon that fetches a token an hour does not
        /// scrub every line against a year of them.
        var ephemeral: [String] = []
        /// Both, longest first (so a secret that contains another is masked whole), rebuilt at registration:
        /// `scrub` runs on every log line, reply and trace line, so it must not sort or allocate.
        var sorted: [String] = []

        mutating func rebuild() {
            sorted = Array(Set(lasting + ephemeral)).sorted { $0.utf8.count > $1.utf8.count }
        }
    }

    private let secrets = Mutex(Registry())
    /// How many values `registerEphemeral` keeps (a token an hour: four days' worth, in its three forms).
    public static let ephemeralLimit = 300

    public init() {}

    /// Registers a secret value for the life of the process; every later `scrub` replaces it. Values shorter
    /// than 6 characters are not registered: they would mask ordinary words and are not real secrets anyway.
    public func register(_ secret: String) {
        let values = Self.forms(secret)
        guard !values.isEmpty else { return }
        secrets.withLock { r in
            let before = r.lasting.count
            for value in values where !r.lasting.contains(value) { r.lasting.append(value) }
            if r.lasting.count != before { r.rebuild() }
        }
    }

    /// Registers a value that is secret while it is in use (an access token, an XOAUTH2 initial response), as
    /// it is: such values never travel URL-encoded. The oldest are dropped past `ephemeralLimit`.
    public func registerEphemeral(_ secret: String) {
        guard secret.utf8.count >= 6 else { return }
        secrets.withLock { r in
            guard !r.ephemeral.contains(secret) else { return }
            r.ephemeral.append(secret)
            if r.ephemeral.count > Self.ephemeralLimit { r.ephemeral.removeFirst(r.ephemeral.count - Self.ephemeralLimit) }
            r.rebuild()
        }
    }

    /// How many values are registered (both kinds).
    public var registeredCount: Int { secrets.withLock { $0.sorted.count } }

    /// The value as trimmed, and its URL-encoded form (what travels in a token request body).
    private static func forms(_ secret: String) -> [String] {
        let trimmed = secret.trimmingSpacesAndNewlines
        guard trimmed.count >= 6 else { return [] }
        var values = [trimmed]
        let encoded = PercentEncoding.encode(trimmed, keeping: PercentEncoding.isASCIIAlphanumeric)
        if encoded != trimmed {
            values.append(encoded)
        }
        return values
    }

    public func forget(_ secret: String) {
        let trimmed = secret.trimmingSpacesAndNewlines
        secrets.withLock { r in
            r.lasting.removeAll { $0 == trimmed }
            r.ephemeral.removeAll { $0 == trimmed }
            r.rebuild()
        }
    }

    /// Field names whose values are always masked, in log metadata and key=value text.
    public static let sensitiveKeys: Set<String> = [
        "client_secret", "secret", "access_token", "token", "authorization", "password", "bearer",
        "client_assertion", "api_token", "proxy_password",
    ]

    public func scrub(_ text: String) -> String {
        var out = text
        let known = secrets.withLock { $0.sorted }
        let length = text.utf8.count
        for secret in known where secret.utf8.count <= length && Self.containsBytes(out, secret) {
            out = out.replacingEvery(secret, with: Redactor.mask)
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

extension Redactor {
    /// `http://user:pass@proxy:3128` → `http://user:[REDACTED]@proxy:3128`.
    public static func scrubURLCredentials(_ url: String) -> String {
        guard let at = url.firstIndex(of: "@"), let scheme = url.literalRange(of: "://"), scheme.upperBound < at else { return url }
        let userinfo = url[scheme.upperBound..<at]
        guard let colon = userinfo.firstIndex(of: ":") else { return url }
        return String(url[..<userinfo.index(after: colon)]) + mask + String(url[at...])
    }
}

/// The redactor's third layer: base64 runs that decode to a credential. A server may repeat the client's AUTH
/// argument in its reply (`535 5.7.3 … you sent dXNlcj1…`): that is the base64 of `user=…\x01auth=Bearer <token>`,
/// which neither the token's exact value nor a text pattern finds. Every run of at least `minimumRun` base64
/// characters is decoded (a truncated echo too: the run is cut to whole 4-character groups) and replaced by the
/// mask when the decoded bytes contain `bearer ` (a credential, not the scheme's name in a
/// JSON challenge), `auth=` or a registered secret.
enum EncodedSecrets {
    /// Shorter runs cannot hold a bearer credential worth hiding (and keep ids and hashes in replies readable).
    static let minimumRun = 24

    static func mask(in text: String, secrets: [String]) -> String {
        // Most scrubbed lines (every log and trace line) hold no run that long: look before copying the bytes.
        var longest = 0, current = 0
        for b in text.utf8 {
            current = isBase64(b) ? current + 1 : 0
            longest = max(longest, current)
        }
        guard longest >= minimumRun else { return text }
        let bytes = Array(text.utf8)
        var runs: [Range<Int>] = []
        var i = 0
        while i < bytes.count {
            guard isBase64(bytes[i]) else { i += 1; continue }
            var j = i
            while j < bytes.count, isBase64(bytes[j]) { j += 1 }
            if j - i >= minimumRun { runs.append(i..<j) }
            i = j
        }
        guard !runs.isEmpty else { return text }
        var masked: [Range<Int>] = []
        for run in runs where revealsSecret(Array(bytes[run]), secrets: secrets) { masked.append(run) }
        guard !masked.isEmpty else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var at = 0
        for run in masked {
            out += bytes[at..<run.lowerBound]
            out += Array(Redactor.mask.utf8)
            at = run.upperBound
        }
        out += bytes[at...]
        return String(decoding: out, as: UTF8.self)
    }

    static func isBase64(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x2B || b == 0x2F || b == 0x3D
            || b == 0x2D || b == 0x5F
    }

    /// Decodes the run (standard or URL alphabet, padding optional, cut to whole groups) and looks inside.
    static func revealsSecret(_ run: [UInt8], secrets: [String]) -> Bool {
        var chars = run.filter { $0 != 0x3D }.map { $0 == 0x2D ? UInt8(0x2B) : $0 == 0x5F ? UInt8(0x2F) : $0 }
        chars.removeLast(chars.count % 4)
        guard !chars.isEmpty, let decoded = Data(base64Encoded: Data(chars)) else { return false }
        let lower = Redactor.asciiLowercased(String(decoding: decoded, as: UTF8.self))
        // "bearer " with its space: an RFC 7628 error challenge ({"schemes":"bearer",…}) is no credential.
        if Redactor.contains(lower, "bearer ") || Redactor.contains(lower, "auth=") { return true }
        let text = String(decoding: decoded, as: UTF8.self)
        return secrets.contains { Redactor.containsBytes(text, $0) }
    }
}

extension Redactor {
    /// This redactor as a libcurl handle's secret handling: what the handle is about to send (the XOAUTH2 initial
    /// response and its base64) is registered as an ephemeral secret, and its trace and error text are scrubbed.
    var curlSecrets: any CurlSecretHandling { RedactingCurlSecrets(redactor: self) }
}

/// `Redactor.curlSecrets`.
private struct RedactingCurlSecrets: CurlSecretHandling {
    let redactor: Redactor

    func willSend(_ secret: String) { redactor.registerEphemeral(secret) }
    func scrub(_ text: String) -> String { redactor.scrub(text) }
    var mask: String { Redactor.mask }
}
