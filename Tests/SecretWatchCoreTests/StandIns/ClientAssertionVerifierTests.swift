import Foundation
import SecretWatchCrypto
import SecretWatchStandIns
import Testing
@testable import SecretWatchCore

/// The token stand-in's verification of client assertions refuses what Entra refuses: it really checks the
/// signature (a forged or tampered assertion naming a registered certificate fails), the audience, the issuer,
/// the validity window and replays.
@Suite("Token stand-in: client assertion verification")
struct ClientAssertionVerifierTests {
    static let endpoint = "https://127.0.0.1:4443/contoso/oauth2/v2.0/token"
    static let client = "5d3c2b1a-9e8f-4a7b-8c6d-2f1e0d9c8b7a"

    final class Material: Sendable {
        let pki: ThrowawayPKI
        let registered: ThrowawayPKI.Identity
        let other: ThrowawayPKI.Identity
        let certificate: X509Certificate
        init() throws {
            pki = try ThrowawayPKI()
            registered = try pki.makeAppCertificate(named: "registered")
            other = try pki.makeAppCertificate(named: "other")
            certificate = try X509Certificate(pemFile: registered.certificatePath)
        }
        deinit { pki.remove() }
    }

    func assertion(_ m: Material, key: String? = nil, client: String = Self.client, audience: String = Self.endpoint,
                   now: Date = Date(), lifetime: TimeInterval = 600, jti: UUID = UUID()) throws -> String {
        let certificate = m.certificate
        // ClientAssertion.make refuses a key that is not the certificate's: a forger signs the input by hand.
        guard let key else {
            return try ClientAssertion.make(clientId: client, tokenEndpoint: audience, certificate: certificate,
                                            key: PrivateKey(pemFile: m.registered.keyPath), now: now, lifetime: lifetime, jti: jti)
        }
        let genuine = try assertion(m, client: client, audience: audience, now: now, lifetime: lifetime, jti: jti)
        let input = genuine.split(separator: ".").prefix(2).joined(separator: ".")
        let signature = try PrivateKey(pemFile: key).sign(Data(input.utf8), algorithm: .ps256)
        return input + "." + Base64URL.encode(signature)
    }

    func form(_ assertion: String) -> [String: String] {
        ["client_id": Self.client, "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
         "client_assertion": assertion, "grant_type": "client_credentials"]
    }

    @Test func aGenuineAssertionIsAcceptedOnce() throws {
        let m = try Material()
        let verifier = ClientAssertionVerifier(certificates: [m.certificate])
        let jwt = try assertion(m)
        #expect(verifier.verify(form: form(jwt), audience: Self.endpoint) == nil)
        #expect(verifier.verify(form: form(jwt), audience: Self.endpoint)?.code == 50012, "a replayed jti is refused")
    }

    @Test func aSignatureByAnotherKeyNamingTheRegisteredCertificateIsRefused() throws {
        let m = try Material()
        let verifier = ClientAssertionVerifier(certificates: [m.certificate])
        let refusal = try #require(verifier.verify(form: form(try assertion(m, key: m.other.keyPath)), audience: Self.endpoint))
        #expect(refusal.code == 700027)
        #expect(refusal.text.contains("did not match the expected signature value"))
    }

    @Test func claimsChangedAfterSigningAreRefused() throws {
        let m = try Material()
        let verifier = ClientAssertionVerifier(certificates: [m.certificate])
        let parts = try assertion(m).split(separator: ".").map(String.init)
        let forged = try assertion(m, client: "00000000-0000-4000-8000-000000000000").split(separator: ".").map(String.init)
        let tampered = [parts[0], forged[1], parts[2]].joined(separator: ".")
        #expect(verifier.verify(form: form(tampered), audience: Self.endpoint)?.code == 700027)
    }

    @Test func anUnregisteredCertificateIsNamedByItsThumbprint() throws {
        let m = try Material()
        let verifier = ClientAssertionVerifier()
        let refusal = try #require(verifier.verify(form: form(try assertion(m)), audience: Self.endpoint))
        #expect(refusal.code == 700027 && refusal.text.contains("The key was not found"))
        #expect(refusal.text.contains(m.certificate.sha256Thumbprint), "\(refusal.text)")
    }

    @Test func audienceIssuerAndWindowAreChecked() throws {
        let m = try Material()
        let verifier = ClientAssertionVerifier(certificates: [m.certificate])
        #expect(verifier.verify(form: form(try assertion(m, audience: "https://login.microsoftonline.com/common/oauth2/token")),
                                audience: Self.endpoint)?.code == 700023)
        var other = form(try assertion(m))
        other["client_id"] = "11111111-2222-4333-8444-555555555555"
        #expect(verifier.verify(form: other, audience: Self.endpoint)?.code == 700021)
        #expect(verifier.verify(form: form(try assertion(m, now: Date().addingTimeInterval(-3600))), audience: Self.endpoint)?.code == 700024)
        #expect(verifier.verify(form: form(try assertion(m, now: Date().addingTimeInterval(3600))), audience: Self.endpoint)?.code == 700024)
        #expect(verifier.verify(form: form(try assertion(m, now: Date().addingTimeInterval(-60))), audience: Self.endpoint) == nil,
                "a minute of skew is tolerated")
    }

    @Test func noAssertionOrAMalformedOneIsRefused() throws {
        let verifier = ClientAssertionVerifier()
        #expect(verifier.verify(form: ["client_id": Self.client], audience: Self.endpoint)?.code == 7000218)
        #expect(verifier.verify(form: form("not.a-jws"), audience: Self.endpoint)?.code == 50027)
    }
}
