import Foundation
import SecretWatchCrypto
import SecretWatchStandIns
import Testing
@testable import SecretWatchCore

/// The chain a server presents is recorded per endpoint from libcurl's certificate info: the token stand-in and
/// the Exchange stand-in, with certificates the throwaway PKI issued (a leaf under an intermediate).
@Suite struct PresentedChainTests {
    /// A CA, an intermediate under it and a leaf for 127.0.0.1 under the intermediate, expiring in `leafDays`.
    struct Chain {
        let pki: ThrowawayPKI
        let ca: ThrowawayPKI.Authority
        let intermediate: ThrowawayPKI.Authority
        let identity: ThrowawayPKI.Identity

        init(leafDays: Double = 20, validFrom: TimeInterval = -3600) throws {
            pki = try ThrowawayPKI()
            ca = try pki.makeAuthority(named: "chain-ca")
            intermediate = try pki.makeIntermediate(named: "chain-intermediate", by: ca, validUntil: 40 * 86400)
            identity = try pki.issue(named: "chain-leaf", by: intermediate, for: ["127.0.0.1", "localhost"],
                                     validFrom: validFrom, validUntil: leafDays * 86400)
        }

        var leaf: X509Certificate { get throws { try X509Certificate(pemFile: identity.certificatePath) } }
        var intermediateCertificate: X509Certificate { get throws { try X509Certificate(pemFile: intermediate.certificatePath) } }
    }

    func expectChain(_ recorded: [EndpointCertificate], _ chain: Chain, endpoint: String) throws {
        let leaf = try chain.leaf, intermediate = try chain.intermediateCertificate
        #expect(recorded.map(\.position) == ["leaf", "intermediate_1"])
        #expect(recorded.map(\.endpoint) == [endpoint, endpoint])
        #expect(recorded.map(\.subject) == [leaf.subject, intermediate.subject])
        #expect(recorded.map(\.issuer) == [intermediate.subject, intermediate.issuer])
        #expect(recorded.map(\.notAfter) == [leaf.notAfter, intermediate.notAfter])
    }

    @Test func theTokenEndpointsChainIsRecordedWithItsPositionsSubjectsAndEndDates() async throws {
        let chain = try Chain()
        defer { chain.pki.remove() }
        let standIn = try TokenStandIn(identity: chain.identity, behaviour: .success(accessToken: "t-1", expiresIn: 3599))
        defer { standIn.stop() }
        let secret = try chain.pki.write("s\n", to: "secret")
        chmod(secret, 0o600)
        let certificates = EndpointCertificates()
        let settings = TokenEndpointSettings(credential: "smtp", endpoint: standIn.tokenEndpoint(tenant: "contoso"), tenantId: "contoso",
                                             clientId: "c", scope: "s", secret: .file(secret), connectTimeout: 5, timeout: 10,
                                             caFile: chain.ca.certificatePath)
        let outcome = await EntraTokenClient(settings: settings, environment: [:], certificates: certificates).request(startedAt: Date())
        #expect(outcome.failure == nil)
        try expectChain(certificates.chain(of: "127.0.0.1:\(standIn.port)"), chain, endpoint: "127.0.0.1:\(standIn.port)")
    }

    @Test func theSMTPServersChainIsRecordedOnASession() throws {
        let chain = try Chain()
        defer { chain.pki.remove() }
        var configuration = ExchangeStandInConfiguration(identity: chain.identity, tokens: ExchangeTokenCheck { _ in true })
        configuration.mailboxes = ["sender@contoso.example"]
        let exchange = try ExchangeStandIn(configuration)
        defer { exchange.stop() }
        let certificates = EndpointCertificates()
        let transport = SMTPTransport(config: MailTestSupport.smtpConfig(host: "127.0.0.1", port: exchange.port, caFile: chain.ca.certificatePath),
                                      certificates: certificates)
        let token = AccessToken(value: "any", obtainedAt: Date(), expiresAt: Date().addingTimeInterval(3600))
        let result = transport.send(Data("Subject: t\r\n\r\nhi\r\n".utf8), from: "sender@contoso.example", to: ["a@contoso.example"], token: token)
        #expect(result.failure == nil, "\(String(describing: result.failure))")
        try expectChain(certificates.chain(of: "127.0.0.1:\(exchange.port)"), chain, endpoint: "127.0.0.1:\(exchange.port)")
        // The next message reuses the session: nothing new presented, the chain stays.
        _ = transport.send(Data("Subject: t\r\n\r\nhi\r\n".utf8), from: "sender@contoso.example", to: ["a@contoso.example"], token: token)
        #expect(certificates.chain(of: "127.0.0.1:\(exchange.port)").count == 2)
    }

    @Test func anExpiredServerCertificateIsTLSCertificateExpiredOnTheTokenPath() async throws {
        let chain = try Chain(leafDays: -1, validFrom: -2 * 86400)
        defer { chain.pki.remove() }
        let standIn = try TokenStandIn(identity: chain.identity, behaviour: .success(accessToken: "t-1", expiresIn: 3599))
        defer { standIn.stop() }
        let secret = try chain.pki.write("s\n", to: "secret")
        chmod(secret, 0o600)
        let settings = TokenEndpointSettings(credential: "smtp", endpoint: standIn.tokenEndpoint(tenant: "contoso"), tenantId: "contoso",
                                             clientId: "c", scope: "s", secret: .file(secret), connectTimeout: 5, timeout: 10,
                                             caFile: chain.ca.certificatePath)
        let outcome = await EntraTokenClient(settings: settings, environment: [:]).request(startedAt: Date())
        #expect(outcome.failure?.reason == .tlsCertificateExpired)
    }

    @Test func anExpiredServerCertificateIsTLSCertificateExpiredOnTheSMTPPath() throws {
        let chain = try Chain(leafDays: -1, validFrom: -2 * 86400)
        defer { chain.pki.remove() }
        var configuration = ExchangeStandInConfiguration(identity: chain.identity, tokens: ExchangeTokenCheck { _ in true })
        configuration.mailboxes = ["sender@contoso.example"]
        let exchange = try ExchangeStandIn(configuration)
        defer { exchange.stop() }
        let transport = SMTPTransport(config: MailTestSupport.smtpConfig(host: "127.0.0.1", port: exchange.port, caFile: chain.ca.certificatePath))
        let token = AccessToken(value: "any", obtainedAt: Date(), expiresAt: Date().addingTimeInterval(3600))
        let result = transport.send(Data("Subject: t\r\n\r\nhi\r\n".utf8), from: "sender@contoso.example", to: ["a@contoso.example"], token: token)
        #expect(result.failure?.reason == "tls_certificate_expired")
    }

    @Test func everyCertificateOfACAFileIsReadWithItsEndDate() throws {
        let chain = try Chain()
        defer { chain.pki.remove() }
        let bundle = try chain.pki.write(try String(contentsOfFile: chain.ca.certificatePath, encoding: .utf8)
                                         + String(contentsOfFile: chain.intermediate.certificatePath, encoding: .utf8), to: "bundle.pem")
        let certificates = EndpointCertificates()
        #expect(certificates.loadCAFiles([bundle]).isEmpty)
        let read = certificates.chain(of: "ca_file:\(bundle)")
        let ca = try X509Certificate(pemFile: chain.ca.certificatePath), intermediate = try chain.intermediateCertificate
        #expect(read.map(\.position) == ["ca_1", "ca_2"])
        #expect(read.map(\.notAfter) == [ca.notAfter, intermediate.notAfter])
        #expect(read.map(\.subject) == [ca.subject, intermediate.subject])
        // A file no longer configured is forgotten; an unreadable one is reported.
        let problems = certificates.loadCAFiles([chain.pki.directory + "/missing.pem"])
        #expect(problems.count == 1)
        #expect(certificates.chain(of: "ca_file:\(bundle)").isEmpty)
    }
}

/// Graph's chain is recorded too (the stand-in serves Graph on the token endpoint's port and certificate).
@Suite struct GraphPresentedChainTests {
    @Test func aGraphListingRecordsTheChainGraphPresented() async throws {
        let f = try GraphFixture(applications: 5)
        defer { f.close() }
        let certificates = EndpointCertificates()
        let token = try await f.accessToken()
        let outcome = await GraphClient(settings: f.settings(pageSize: 2), certificates: certificates).listApplications(token: token, startedAt: Date())
        #expect(outcome.pages == 3)
        let leaf = try X509Certificate(pemFile: f.token.pki.directory + "/token-endpoint.crt")
        let chain = certificates.chain(of: "127.0.0.1:\(f.token.standIn.port)")
        #expect(chain.map(\.position) == ["leaf"])
        #expect(chain.first?.subject == leaf.subject && chain.first?.notAfter == leaf.notAfter)
    }
}
