import Foundation
import Synchronization
import Testing
import SecretWatchStandIns
@testable import SecretWatchCore
@testable import SecretWatchCurl

/// `CurlEasy` against the HTTPS stand-in: the options secretwatch relies on do what they say.
@Suite("CurlEasy")
struct CurlEasyTests {
    /// Runs a transfer on a Dispatch thread, as production code does.
    func perform(_ options: [CurlOption], trace: Bool = false, reuse: (@Sendable (CurlEasy) throws -> CurlResponse)? = nil) async throws -> CurlResponse {
        try await BlockingExecutor.run {
            let easy = try CurlEasy(secrets: Redactor.shared.curlSecrets)
            if trace { try easy.enableTrace() }
            try easy.set(options)
            let first = easy.perform()
            return try reuse?(easy) ?? first
        }
    }

    func base(_ f: TokenEndpointFixture) -> [CurlOption] {
        [.url(f.standIn.tokenEndpoint(tenant: "t")), .caFile(f.ca.certificatePath), .connectTimeout(5), .timeout(10), .proxy("")]
    }

    @Test func secondsBecomeWholeMillisecondsWithoutATrap() {
        #expect(CurlEasy.milliseconds(1.5) == 1500)
        #expect(CurlEasy.milliseconds(0.0001) == 1, "a positive timeout never becomes 0 (no timeout)")
        #expect(CurlEasy.milliseconds(0) == 0)
        for bad in [-1, .infinity, .nan, 9.3e15, 110_000_000_000 * 86400] as [Double] {
            #expect(CurlEasy.milliseconds(bad) == nil, "\(bad)")
        }
    }

    @Test func aTimeoutNoLongHoldsIsASetupErrorNotATrap() async throws {
        try await BlockingExecutor.run {
            let easy = try CurlEasy(secrets: Redactor.shared.curlSecrets)
            for seconds in [110_000_000_000 * 86400, 9.3e15, .infinity, .nan, -1] as [Double] {
                #expect(throws: CurlSetupError.self, "\(seconds)") { try easy.set(.timeout(seconds)) }
                #expect(throws: CurlSetupError.self, "\(seconds)") { try easy.set(.connectTimeout(seconds)) }
            }
            try easy.set([.timeout(3600), .connectTimeout(0.001)])
        }
    }

    @Test func postBodyIsCopiedAndHeadersAreRead() async throws {
        let f = try TokenEndpointFixture(behaviour: .throttled(retryAfterSeconds: 7))
        defer { f.close() }
        let body = (0..<2000).map { "k\($0)=v\($0)" }.joined(separator: "&") // > 1 KiB: no 100-continue wait either
        let r = try await perform(base(f) + [.post(body: body, headers: ["Content-Type: application/x-www-form-urlencoded", "Expect:"])])
        #expect(r.code == .ok)
        #expect(r.responseCode == 429)
        #expect(r.connected)
        #expect(r.header("retry-after") == "7")
        #expect(r.header("X-STAND-IN") == "secretwatch (not Microsoft)")
        #expect(r.headerLines.first == "HTTP/1.1 429 Too Many Requests")
        #expect(f.standIn.requests.first.map { String(decoding: $0.body, as: UTF8.self) } == body)
        #expect(f.standIn.requests.first?.method == "POST")
    }

    @Test func bodyCapStopsTheTransfer() async throws {
        let f = try TokenEndpointFixture(behaviour: .hugeBody(bytes: 5 << 20))
        defer { f.close() }
        let r = try await perform(base(f) + [.maxResponseBytes(10_000)])
        #expect(r.responseTooLarge)
        #expect(!r.ok)
        #expect(r.code == .writeError)
        #expect(r.body.count <= 10_000)
    }

    @Test func resetClearsOptionsAndTheHandleIsReusable() async throws {
        let f = try TokenEndpointFixture(behaviour: .success(accessToken: "stand-in-token-reuse", expiresIn: 60))
        defer { f.close() }
        let options = base(f)
        let second = try await perform(options + [.maxResponseBytes(10)]) { easy in
            try easy.reset()
            try easy.set(options)
            return easy.perform()
        }
        // The 10-byte cap of the first transfer is gone after reset: the whole answer arrives.
        #expect(second.ok)
        #expect(String(decoding: second.body, as: UTF8.self).contains("stand-in-token-reuse"))
        #expect(f.standIn.requestCount == 2)
    }

    @Test func aReusedConnectionCountsAsConnected() async throws {
        let f = try TokenEndpointFixture(behaviour: .slowDrip(interval: 0.25), keepAlive: true)
        defer { f.close() }
        f.standIn.enqueue(.success(accessToken: "stand-in-token-keepalive", expiresIn: 60))
        let options = base(f)
        let second = try await perform(options) { easy in
            try easy.reset()
            try easy.set(options + [.timeout(1)])
            return easy.perform()
        }
        #expect(f.standIn.connectionCount == 1) // the second transfer reused the first one's connection
        #expect(f.standIn.requestCount == 2)
        #expect(second.code == .operationTimedOut)
        #expect(second.connected) // connect time is 0 on reuse: must not read as a connect timeout
    }

    @Test func refusedConnectionReportsNotConnected() async throws {
        let closed = try RefusingPort()
        let r = try await perform([.url("https://127.0.0.1:\(closed.port)/"), .connectTimeout(5), .proxy("")])
        #expect(r.code == .couldntConnect)
        #expect(!r.connected)
        #expect(!r.errorText.isEmpty)
        #expect(r.codeText == "Couldn't connect to server")
    }

    @Test func resolvePinsANameAndTheCertificateNameIsChecked() async throws {
        let f = try TokenEndpointFixture(names: ["login.stand-in.test"])
        defer { f.close() }
        let url = "https://login.stand-in.test:\(f.standIn.port)/t/oauth2/v2.0/token"
        let r = try await perform([.url(url), .caFile(f.ca.certificatePath), .resolve(["login.stand-in.test:\(f.standIn.port):127.0.0.1"]),
                                   .connectTimeout(5), .timeout(10), .proxy("")])
        #expect(r.ok, "\(r.errorText)")
        #expect(r.responseCode == 200)
    }

    @Test func lowSpeedLimitEndsASlowDrip() async throws {
        let f = try TokenEndpointFixture(behaviour: .slowDrip(interval: 0.25))
        defer { f.close() }
        let r = try await perform(base(f) + [.lowSpeed(bytesPerSecond: 100, seconds: 1)])
        #expect(r.code == .operationTimedOut)
        #expect(r.connected)
    }

    @Test func traceKeepsTheExchangeButNoCredential() async throws {
        let f = try TokenEndpointFixture()
        defer { f.close() }
        let r = try await perform(base(f) + [.httpHeaders(["Authorization: Bearer trace-canary-credential-77"])], trace: true)
        #expect(r.trace.contains { $0.kind == .received && $0.text.hasPrefix("HTTP/1.1 200") })
        #expect(r.trace.contains { $0.kind == .sent && $0.text.hasPrefix("GET /t/oauth2/v2.0/token") })
        #expect(r.trace.contains { $0.kind == .sent && $0.text == "Authorization: Bearer [REDACTED]" })
        #expect(!r.trace.contains { $0.text.contains("trace-canary-credential-77") })
    }

    /// The redactor's handling, recording what a handle tells it.
    final class RecordingSecrets: CurlSecretHandling {
        let redactor = Redactor()
        let told = Mutex<[String]>([])

        func willSend(_ secret: String) {
            told.withLock { $0.append(secret) }
            redactor.curlSecrets.willSend(secret)
        }
        func scrub(_ text: String) -> String { redactor.curlSecrets.scrub(text) }
        var mask: String { redactor.curlSecrets.mask }
    }

    @Test func theXOAUTH2InitialResponseIsToldOncePerTokenNotPerTransfer() async throws {
        let secrets = RecordingSecrets()
        let initial = { (bearer: String) in "user=sender@contoso.example\u{1}auth=Bearer \(bearer)\u{1}\u{1}" }
        try await BlockingExecutor.run {
            let easy = try CurlEasy(secrets: secrets)
            for bearer in ["first-bearer-token-1", "first-bearer-token-1", "second-bearer-token-2", "second-bearer-token-2"] {
                try easy.reset()
                try easy.set(.xoauth2(user: "sender@contoso.example", bearer: bearer))
            }
        }
        #expect(secrets.told.withLock { $0 } == ["first-bearer-token-1", "second-bearer-token-2"].flatMap {
            [initial($0), Data(initial($0).utf8).base64EncodedString()]
        })
        #expect(secrets.redactor.registeredCount == 4, "what the handle tells reaches the redactor behind Core's handling")
    }

    @Test func uploadSendsTheExactBytes() async throws {
        let f = try TokenEndpointFixture()
        defer { f.close() }
        let payload = Data((0..<70_000).map { UInt8($0 % 251) })
        _ = try await perform(base(f) + [.upload(payload)])
        #expect(f.standIn.requests.first?.method == "PUT")
        #expect(f.standIn.requests.first?.body == payload)
    }
}
