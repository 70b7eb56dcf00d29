import Foundation
import SecretWatchCrypto
import SecretWatchStandIns
import SecretWatchTesting
import Testing
@testable import SecretWatchCore

/// A certificate credential's token requests against the stand-in over TLS, which verifies each client assertion
/// for real (signature with the registered certificate's key, thumbprint, aud, iss/sub, validity window, jti).
@Suite("Certificate credentials: client assertions against the token stand-in")
struct CertificateTokenTests {
    @Test(arguments: [SignatureAlgorithm.ps256, .rs256])
    func aRegisteredCertificateGetsAToken(algorithm: SignatureAlgorithm) async throws {
        let f = try TokenEndpointFixture(behaviour: .success(accessToken: "stand-in-access-token-cert", expiresIn: 3599))
        defer { f.close() }
        let (app, certificate) = try f.appCertificate("app")
        let outcome = await f.client(try f.certificateSettings(app, algorithm: algorithm)).request(startedAt: Date())
        #expect(outcome.token?.value == "stand-in-access-token-cert", "\(outcome.result) \(outcome.failure?.operatorError.detail ?? "")")
        let form = try #require(f.standIn.requests.first?.form)
        #expect(form["client_secret"] == nil)
        #expect(form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        let jwt = try #require(form["client_assertion"])
        let header = try #require(ClientAssertionVerifier.object(String(jwt.prefix { $0 != "." })))
        #expect(header["alg"] as? String == algorithm.rawValue)
        #expect(header["x5t#S256"] as? String == certificate.x5tS256)
    }

    @Test func eachRequestSignsAFreshAssertion() async throws {
        let f = try TokenEndpointFixture()
        defer { f.close() }
        let (app, _) = try f.appCertificate("app")
        let client = f.client(try f.certificateSettings(app))
        for _ in 0..<2 { #expect(await client.request(startedAt: Date()).token != nil) }
        let assertions = f.standIn.requests.compactMap { $0.form["client_assertion"] }
        #expect(assertions.count == 2 && assertions[0] != assertions[1])
    }

    @Test func aCertificateTheAppDoesNotHaveIsRefusedNamingItsThumbprint() async throws {
        let f = try TokenEndpointFixture()
        defer { f.close() }
        _ = try f.appCertificate("registered")
        let (other, otherCertificate) = try f.appCertificate("other", register: false)
        let failure = try await f.failure(try f.certificateSettings(other))
        #expect(failure.reason == .invalidClientAssertion)
        #expect(failure.aadstsCode == 700027)
        #expect(failure.fix.contains("SHA-1 thumbprint \(otherCertificate.sha1Thumbprint) registered"), "\(failure.fix)")
        #expect(failure.fix.hasPrefix("upload client_certificate_file to the app registration"))
        #expect(failure.operatorError.detail?.contains(otherCertificate.sha256Thumbprint) == true, "the stand-in names the key it looked for")
    }

    @Test func noCertificateRegisteredAtAllIsRefused() async throws {
        let f = try TokenEndpointFixture()
        defer { f.close() }
        let (app, _) = try f.appCertificate("app", register: false)
        #expect(try await f.failure(try f.certificateSettings(app)).aadstsCode == 700027)
    }

    @Test func aClockFarFromTheIdentityProvidersIsClockSkew() async throws {
        let f = try TokenEndpointFixture()
        defer { f.close() }
        let (app, _) = try f.appCertificate("app")
        let clock = ManualClock(now: Date().addingTimeInterval(-2 * 3600))
        let outcome = await f.client(try f.certificateSettings(app)).request(startedAt: clock.now())
        let failure = try #require(outcome.failure)
        #expect(failure.reason == .invalidClientAssertion && failure.aadstsCode == 700024)
        #expect(failure.message.contains("clock skew"), "\(failure.message)")
        #expect(failure.fix.hasPrefix("check the clock (NTP)"), "\(failure.fix)")
    }

    @Test func aKeyFileGoneAtRequestTimeIsCertificateUnreadable() async throws {
        let f = try TokenEndpointFixture()
        defer { f.close() }
        let (app, _) = try f.appCertificate("app")
        let settings = try f.certificateSettings(app)
        try FileManager.default.removeItem(atPath: app.keyPath)
        let failure = try await f.failure(settings)
        #expect(failure.reason == .certificateUnreadable)
        #expect(failure.message.contains(app.keyPath) && failure.message.contains("No such file"), "\(failure.message)")
        #expect(f.standIn.requestCount == 0)
    }

    @Test func aKeyReplacedByAnotherCertificatesKeyIsRefusedBeforeSending() async throws {
        let f = try TokenEndpointFixture()
        defer { f.close() }
        let (app, _) = try f.appCertificate("app")
        let (other, _) = try f.appCertificate("other")
        let settings = try f.certificateSettings(app)
        try FileManager.default.removeItem(atPath: app.keyPath)
        try FileManager.default.copyItem(atPath: other.keyPath, toPath: app.keyPath)
        let failure = try await f.failure(settings)
        #expect(failure.reason == .certificateUnreadable)
        #expect(failure.message.contains("is not the private key of the certificate"), "\(failure.message)")
        #expect(f.standIn.requestCount == 0)
    }
}
