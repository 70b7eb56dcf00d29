import Foundation

/// The error challenge of an XOAUTH2 (RFC 7628 style) server that refuses a bearer token: `334 <base64 JSON>` such
/// as `{"status":"401","schemes":"bearer","scope":"mail"}`, sent before the server's final 535. Exchange answers a
/// bad token with 535 at once; Dovecot, Google and others send this first.
struct XOAUTH2Challenge: Sendable, Equatable, CustomStringConvertible {
    var status: String?
    var schemes: String?
    var scope: String?
    /// The decoded challenge when it is not the JSON object above (scrubbed and shortened when shown).
    var text: String?

    /// Nil for anything but a 334 with a non-empty base64 challenge (the empty `334 ` of a two-step AUTH).
    init?(_ reply: SMTPReply) {
        guard reply.code == 334 else { return nil }
        let encoded = reply.line.dropFirst(4).trimmingCharacters(in: .whitespaces)
        guard !encoded.isEmpty, encoded.utf8.count <= 8192, let data = Data(base64Encoded: encoded), !data.isEmpty else { return nil }
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            func field(_ name: String) -> String? {
                guard let value = object[name] else { return nil }
                return String(describing: value).prefix(200).filter { !$0.isNewline && $0.isASCII }
            }
            status = field("status")
            schemes = field("schemes")
            scope = field("scope")
            if status == nil && schemes == nil && scope == nil { text = String(decoding: data.prefix(200), as: UTF8.self) }
        } else {
            text = String(decoding: data.prefix(200), as: UTF8.self)
        }
    }

    var description: String {
        if let text { return "the server refused the token: \(Redactor.scrub(text.filter { !$0.isNewline }))" }
        let parts = [status.map { "status \($0)" }, schemes.map { "schemes \($0)" }, scope.map { "scope \($0)" }].compactMap { $0 }
        return "the server refused the token (\(parts.joined(separator: ", ")))"
    }
}
