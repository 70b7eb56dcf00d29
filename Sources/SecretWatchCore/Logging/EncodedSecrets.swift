import Foundation

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
