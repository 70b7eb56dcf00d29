import Foundation
import Logging
import Testing
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

    @Test("log lines mask sensitive keys and registered values, and quote values with spaces")
    func logHandler() {
        Redactor.shared.register("canary-secret-4711")
        let sink = LogSink.memory()
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
}
