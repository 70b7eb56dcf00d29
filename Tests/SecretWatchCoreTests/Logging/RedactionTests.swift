import Foundation
import Logging
import Testing
import SecretWatchTesting
@testable import SecretWatchCore

@Suite("Redaction of secrets in text and logs")
struct RedactionTests {
    @Test("registered secrets and secret-shaped text are masked")
    func scrub() {
        let redactor = Redactor()
        redactor.register("Qx88Q~canary.secret-value")
        #expect(redactor.scrub("secret is Qx88Q~canary.secret-value here") == "secret is [REDACTED] here")
        #expect(redactor.scrub("client_secret=Qx88Q%7Ecanary.secret-value&scope=x") == "client_secret=[REDACTED]&scope=x")
        #expect(redactor.scrub("Authorization: Bearer eyJ0eXAiOiJKV1Qi.abc.def") == "Authorization: Bearer [REDACTED]")
        #expect(redactor.scrub(#"{"token_type":"Bearer","access_token":"eyJabc"}"#) == #"{"token_type":"Bearer","access_token":"[REDACTED]"}"#)
        #expect(redactor.scrub("AUTH XOAUTH2 dXNlcj1hQGIuY29tAWF1dGg9QmVhcmVyIHh4eAEB") == "AUTH XOAUTH2 [REDACTED]")
        #expect(redactor.scrub("nothing to hide") == "nothing to hide")
        redactor.register("abc") // too short to be a secret: not registered
        #expect(redactor.scrub("abc") == "abc")
    }

    @Test("control characters in log messages and values are escaped, never written raw")
    func logLinesEscapeControlCharacters() {
        let sink = MemoryLogSink()
        let logger = Logger(label: "test") { KeyValueLogHandler(label: $0, level: .debug, sink: sink) }
        logger.notice("alarm acknowledged\u{1B}[2J", metadata: ["detail": "acknowledged by alice: \u{1B}]0;pwned\u{07}ok\r\nts=x level=info msg=forged\u{0}cut\tend"])
        let line = sink.lines.joined()
        #expect(!line.dropLast().unicodeScalars.contains { $0.properties.generalCategory == .control }, "\(line.debugDescription)")
        #expect(line.contains(#"msg="alarm acknowledged\u{1B}[2J""#), "\(line)")
        #expect(line.contains(#"detail="acknowledged by alice: \u{1B}]0;pwned\u{7}ok\u{D}\u{A}ts=x level=info msg=forged\u{0}cut\u{9}end""#), "\(line)")
    }

    @Test("log lines mask sensitive keys and registered values, and quote values with spaces")
    func logHandler() {
        Redactor.shared.register("canary-secret-4711")
        let sink = MemoryLogSink()
        var logger = Logger(label: "test") { KeyValueLogHandler(label: $0, level: .debug, sink: sink) }
        logger[metadataKey: "credential"] = "smtp"
        logger.info("token request with canary-secret-4711", metadata: ["client_secret": "whatever", "detail": "two words"])
        logger.trace("not shown at debug level")
        let lines = sink.lines
        #expect(lines.count == 1)
        let line = lines[0]
        #expect(!line.contains("canary-secret-4711"))
        #expect(!line.contains("whatever"))
        #expect(line.contains("level=info"))
        #expect(line.contains(#"msg="token request with [REDACTED]""#))
        #expect(line.contains("client_secret=[REDACTED]"))
        #expect(line.contains(#"detail="two words""#))
        #expect(line.contains("credential=smtp"))
        #expect(line.hasSuffix("\n") && line.dropLast().contains("\n") == false)
    }

    @Test("proxy credentials are masked in URLs")
    func proxyURL() {
        #expect(Redactor.scrubURLCredentials("http://user:pa55@proxy:3128") == "http://user:[REDACTED]@proxy:3128")
        #expect(Redactor.scrubURLCredentials("http://proxy:3128") == "http://proxy:3128")
    }
}

@Suite("Byte-wise substring search of the redactor")
struct RedactorSearchTests {
    @Test func containsBytes() {
        #expect(Redactor.containsBytes("abcabd", "abd"))
        #expect(Redactor.containsBytes("abd", "abd"))
        #expect(!Redactor.containsBytes("ab", "abd"))
        #expect(!Redactor.containsBytes("aaaa", "ab"))
        #expect(Redactor.containsBytes("xx ✓ secret-ünï yy", "secret-ünï"))
        #expect(!Redactor.containsBytes("", "a"))
        #expect(Redactor.containsBytes("a", ""))
    }

    @Test func containsIgnoringASCIICase() {
        #expect(Redactor.containsIgnoringASCIICase("Authorization: BeArEr x", "bearer"))
        #expect(Redactor.containsIgnoringASCIICase("AUTH XOAUTH2 abc", "xoauth2"))
        #expect(Redactor.containsIgnoringASCIICase("bearer", "bearer"))
        #expect(!Redactor.containsIgnoringASCIICase("beare", "bearer"))
        #expect(!Redactor.containsIgnoringASCIICase("250 2.6.0 queued", "="))
        #expect(Redactor.containsIgnoringASCIICase("ü a=b", "="))
        #expect(!Redactor.containsIgnoringASCIICase("", "a"))
        #expect(Redactor.containsIgnoringASCIICase("a", ""))
    }

    @Test("the cheap trigger test does not miss secret-shaped text in other cases")
    func mixedCaseTriggers() {
        let redactor = Redactor()
        #expect(redactor.scrub("authorization: BEARER eyJ0eXAiOiJKV1Qi.abc") == "authorization: BEARER [REDACTED]")
        #expect(redactor.scrub("auth xoauth2 dXNlcj1hQGIuY29tAWF1dGg9") == "auth xoauth2 [REDACTED]")
        #expect(redactor.scrub("CLIENT_SECRET=abc&x=y") == "CLIENT_SECRET=[REDACTED]&x=y")
    }
}

/// The hand-written matchers against the regular expressions they replace, on many generated lines.
@Suite struct SecretPatternTests {
    static let regexes: [(trigger: String, regex: NSRegularExpression)] = [
        ("bearer", #"(?i)(bearer\s+)[A-Za-z0-9\-._~+/=]{4,}"#),
        ("=", #"(?i)((?:client_secret|access_token|client_assertion|password)=)[^&\s"]+"#),
        ("\"", #"(?i)("(?:access_token|client_secret|refresh_token|id_token)"\s*:\s*")[^"]*"#),
        ("xoauth2", #"(?i)(AUTH\s+XOAUTH2\s+)[A-Za-z0-9+/=]{8,}"#),
    ].map { ($0.0, try! NSRegularExpression(pattern: $0.1)) }

    static func viaRegex(_ text: String) -> String {
        var out = text
        let lower = out.lowercased()
        for (trigger, regex) in regexes where lower.contains(trigger) {
            out = regex.stringByReplacingMatches(in: out, range: NSRange(out.startIndex..., in: out), withTemplate: "$1" + Redactor.mask)
        }
        return out
    }

    static func viaMatchers(_ text: String) -> String {
        var out = text
        let lower = out.lowercased()
        for pattern in SecretPattern.all where pattern.triggers.contains(where: { lower.contains($0) }) {
            out = pattern.replaceValues(in: out, with: Redactor.mask)
        }
        return out
    }

    @Test func theMatchersAgreeWithTheRegularExpressions() {
        let pieces = ["Bearer", "bearer", "BEARER", "xbearer", " ", "  ", "\t", "\u{A0}", "\n", "eyJ0eXAi.abc-def_~+/=", "abc", "abcd",
                      "client_secret=", "CLIENT_SECRET=", "access_token=", "password=", "client_assertion=", "&", "\"", "=",
                      "\"access_token\"", "\"id_token\"", "\"refresh_token\"", "\"client_secret\"", ":", " : ", "AUTH", "auth",
                      "XOAUTH2", "xoauth2", "dXNlcj1hQGIuY29tAWF1dGg9", "Qx88Q~canary", "ü", "é", "{", "}", ",", "scope=x", "✓"]
        var seed: UInt64 = 0x5eed
        func next(_ n: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(n))
        }
        var disagreements: [String] = []
        for _ in 0..<20_000 {
            let line = (0..<(1 + next(12))).map { _ in pieces[next(pieces.count)] }.joined()
            if Self.viaRegex(line) != Self.viaMatchers(line) { disagreements.append(line) }
        }
        for line in ["Authorization: Bearer eyJ0eXAiOiJKV1Qi.abc.def", #"{"access_token" :  "x", "id_token":""}"#,
                     "client_secret=abc&password=p%20w", "AUTH   XOAUTH2 dXNlcj1hQGIuY29t", "bearer bearer abcd"] {
            if Self.viaRegex(line) != Self.viaMatchers(line) { disagreements.append(line) }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(5).map { "\($0.debugDescription): regex \(Self.viaRegex($0).debugDescription), matchers \(Self.viaMatchers($0).debugDescription)" })")
    }

    @Test func base64ThatDecodesToABearerCredentialIsMasked() {
        let initial = "user=a@b.example\u{1}auth=Bearer unregistered-token-value-123\u{1}\u{1}"
        let blob = Data(initial.utf8).base64EncodedString()
        let r = Redactor()
        #expect(r.scrub("535 5.7.3 you sent \(blob)") == "535 5.7.3 you sent \(Redactor.mask)")
        // An echo cut short still decodes to the credential's start.
        #expect(r.scrub("535 you sent \(blob.prefix(40))…") == "535 you sent \(Redactor.mask)…")
        // Base64 of a registered secret, in the URL alphabet without padding.
        r.register("registered-secret-value")
        let url = Data("x registered-secret-value y".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        #expect(!r.scrub("echo \(url)").contains(url))
        // An RFC 7628 error challenge names the scheme but holds no credential: it stays readable.
        let challenge = "334 eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIiwic2NvcGUiOiJtYWlsIn0="
        #expect(r.scrub(challenge) == challenge)
        // Long ordinary words and ids are left alone.
        let ordinary = "250 2.6.0 <0b5f6f2e-8a1c-4d4e-9f3a-6c2d1e0a7b91@contoso.example> Queued mail for delivery AM0PR04MB1234567890"
        #expect(r.scrub(ordinary) == ordinary)
    }

    @Test func tokensAreForgottenOldestFirstSoTheRegistryStaysBounded() {
        let r = Redactor()
        r.register("lasting-client-secret")
        for i in 0..<2_000 { r.registerEphemeral("ephemeral-token-\(i)-abcdef") }
        #expect(r.registeredCount <= Redactor.ephemeralLimit + 2, "a token an hour for months must not grow the list")
        #expect(r.scrub("x ephemeral-token-1999-abcdef y") == "x \(Redactor.mask) y", "the newest token is masked")
        #expect(r.scrub("lasting-client-secret") == Redactor.mask, "a client secret is never dropped")
    }
}
