import Foundation

extension SMTPSession {
    /// `AUTH XOAUTH2 [initial-response]` (one line, or `334 ` then the blob) and `AUTH LOGIN` (always refused
    /// as basic authentication, as Exchange Online does). Never before TLS.
    func authenticate(_ argument: String) throws {
        guard connection.isTLS else { return try reply(replies.unrecognizedAuth) }
        guard greeted else { return try reply(replies.sendHelloFirst) }
        guard mailbox == nil else { return try reply(replies.alreadyAuthenticated) }
        let words = argument.split(separator: " ", maxSplits: 1).map(String.init)
        switch words.first?.uppercased() {
        case "XOAUTH2":
            var blob = words.count > 1 ? words[1] : nil
            if blob == "=" { blob = "" }
            if blob == nil {
                try reply("334 ")
                guard let answer = try connection.readLine() else { return }
                blob = answer
            }
            guard let blob, blob != "*" else { return try reply(replies.authCancelled) }
            try xoauth2(blob)
        case "LOGIN":
            for prompt in [replies.usernamePrompt, replies.passwordPrompt] {
                try reply(prompt)
                guard let answer = try connection.readLine() else { return }
                guard answer != "*" else { return try reply(replies.authCancelled) }
            }
            state.authFailed()
            try reply(replies.basicAuthDisabled())
        default:
            try reply(replies.unrecognizedAuth)
        }
    }

    private func xoauth2(_ blob: String) throws {
        let credentials: XOAuth2Credentials
        switch XOAuth2Credentials.decode(blob) {
        case .success(let decoded):
            credentials = decoded
        case .failure(.notBase64):
            state.authFailed()
            return try reply(replies.cannotDecode)
        case .failure(.malformed):
            state.authFailed()
            return try reply(replies.tokenRefused())
        }
        let user = credentials.user.lowercased()
        switch state.behaviour(pinned: pinned, mailbox: user) {
        case .smtpAuthDisabled:
            state.authFailed()
            return try reply(replies.smtpAuthDisabled())
        case .tokenRefused:
            state.authFailed()
            return try reply(replies.tokenRefused())
        default:
            break
        }
        let allowed = configuration.mailboxes.isEmpty || configuration.mailboxes.contains { $0.lowercased() == user }
        guard allowed, configuration.tokens.accepts(credentials.token) else {
            state.authFailed()
            return try reply(replies.tokenRefused())
        }
        mailbox = user
        holdsSlot = state.acquireSlot(user)
        state.authSucceeded()
        try reply(replies.authenticated)
    }
}

/// The SASL XOAUTH2 initial response: `base64("user=" + mailbox + "\x01auth=Bearer " + token + "\x01\x01")`.
struct XOAuth2Credentials: Sendable, Equatable {
    var user: String
    var token: String

    enum Problem: Error, Equatable {
        /// Not base64 at all (Exchange: `501 5.5.2 Cannot Decode response`).
        case notBase64
        /// Base64, but not `user=…^Aauth=Bearer …^A^A`.
        case malformed
    }

    static func decode(_ base64: String) -> Result<XOAuth2Credentials, Problem> {
        guard let data = Data(base64Encoded: base64.trimmingCharacters(in: .whitespaces)) else { return .failure(.notBase64) }
        let text = String(decoding: data, as: UTF8.self)
        guard text.hasSuffix("\u{01}\u{01}") else { return .failure(.malformed) }
        var user: String?
        var token: String?
        for field in text.dropLast(2).split(separator: "\u{01}", omittingEmptySubsequences: false) {
            if field.hasPrefix("user=") {
                user = String(field.dropFirst(5))
            } else if field.hasPrefix("auth=") {
                let value = field.dropFirst(5)
                guard value.lowercased().hasPrefix("bearer ") else { return .failure(.malformed) }
                token = String(value.dropFirst(7))
            }
        }
        guard let user, !user.isEmpty, let token, !token.isEmpty else { return .failure(.malformed) }
        return .success(XOAuth2Credentials(user: user, token: token))
    }
}
