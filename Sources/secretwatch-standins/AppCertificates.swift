import Foundation
import SecretWatchStandIns

/// `--make-app-certificate NAME=DAYS`: self-signed app certificates and their RSA keys minted into `--dir` by the
/// throwaway PKI, as an admin would create one to upload to an Entra app registration. The demo mints its
/// certificate credentials' pairs this way (the `secretwatch` executable never links the stand-ins), then starts
/// the stand-ins with `--registered-certificate` for each.
enum AppCertificates {
    struct Request: Equatable {
        var name: String
        var days: Double
    }

    /// `NAME=DAYS`: NAME becomes the file names (letters, digits, `.`, `_`, `-`), DAYS the validity from now
    /// (fractional allowed; negative: already expired).
    static func parse(_ entry: String) -> Request? {
        let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[0].hasPrefix("."),
              parts[0].unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0) }),
              parts[0].allSatisfy(\.isASCII),
              let days = Double(parts[1]), days.isFinite, abs(days) <= 3650 else { return nil }
        return Request(name: parts[0], days: days)
    }

    /// Mints each pair (`DIR/NAME.crt`, `DIR/NAME.key` of mode 0600) and returns the one JSON line describing them.
    static func make(_ requests: [Request], in directory: String) throws -> String {
        let pki = try ThrowawayPKI(directory: directory)
        let made = try requests.map { request -> [String: Any] in
            let identity = try pki.makeAppCertificate(named: request.name, validFor: request.days * 86_400)
            return ["name": request.name, "certificate_file": identity.certificatePath, "key_file": identity.keyPath]
        }
        let object: [String: Any] = ["stand_in": "secretwatch local stand-ins, not Microsoft", "app_certificates": made]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
}
