import Foundation
import Testing
@testable import SecretWatchCurl
@testable import SecretWatchCore

/// Failures below the protocol are classified once: the token and the SMTP path give the same reason name
/// for the same libcurl result, and every catalog has a case for every such reason.
@Suite struct NetworkFailureTests {
    static func response(_ code: CurlCode, _ text: String = "", connected: Bool = false) -> CurlResponse {
        CurlResponse(code: code, codeText: "", errorText: text, responseCode: 0, body: Data(), headerLines: [],
                     responseTooLarge: false, connected: connected, totalTime: 0, connectTime: 0, trace: [])
    }

    static func tokenSettings(proxy: Bool) -> TokenEndpointSettings {
        TokenEndpointSettings(credential: "smtp", endpoint: "https://login.example/t/oauth2/v2.0/token", tenantId: "t",
                              clientId: "c", scope: "https://outlook.office365.com/.default", secret: .environment("S"),
                              proxy: proxy ? ProxyChoice(url: "http://proxy.example:3128", noProxy: nil, source: "token.proxy") : .direct)
    }

    @Test func everyCatalogHasACaseForEveryNetworkFailure() {
        for network in NetworkFailure.allCases {
            #expect(TokenFailureReason.named(network.rawValue) != nil, "TokenFailureReason lacks \(network.rawValue)")
            #expect(SMTPFailureReason.named(network.rawValue) != nil, "SMTPFailureReason lacks \(network.rawValue)")
            #expect(GraphFailureReason.named(network.rawValue) != nil, "GraphFailureReason lacks \(network.rawValue)")
            #expect(TokenFailureReason(network).rawValue == network.rawValue && SMTPFailureReason(network).rawValue == network.rawValue)
            #expect(GraphFailureReason(network).rawValue == network.rawValue)
        }
    }

    @Test(arguments: [
        (CurlCode.couldntResolveHost, "", false, false, "dns_failure"),
        (.operationTimedOut, "Resolving timed out after 10000 milliseconds", false, false, "dns_failure"),
        (.operationTimedOut, "Connection timed out after 10001 milliseconds", false, false, "connect_timeout"),
        (.operationTimedOut, "Connection timed out after 10001 milliseconds", false, true, "proxy_error"),
        (.couldntConnect, "", false, false, "connect_refused"),
        (.couldntConnect, "", false, true, "proxy_error"),
        (.couldntResolveProxy, "", false, true, "proxy_error"),
        (.recvError, "Received HTTP code 407 from proxy after CONNECT", true, true, "proxy_error"),
        (.peerFailedVerification, "SSL certificate problem: self-signed certificate in certificate chain", true, false, "tls_untrusted"),
        (.sslIssuerError, "SSL: issuer check failed", true, false, "tls_untrusted"),
        (.peerFailedVerification, "SSL certificate problem: certificate has expired", true, false, "tls_certificate_expired"),
        (.peerFailedVerification, "SSL certificate problem: certificate has expired", true, true, "tls_certificate_expired"),
        (.peerFailedVerification, "SSL: no alternative certificate subject name matches target host name 'x'", true, false, "tls_hostname_mismatch"),
        (.sslCACertBadFile, "error setting certificate file: /nope", false, false, "tls_ca_file"),
        (.sslConnectError, "error:0A00042E:SSL routines::tlsv1 alert protocol version", true, false, "tls_version"),
        (.sslConnectError, "error:0A00010B:SSL routines::wrong version number", true, false, "tls_handshake"),
        (.sslCipher, "no cipher match", true, false, "tls_handshake"),
        (.sslCertProblem, "problem with the local SSL certificate", true, false, "tls_handshake"),
    ])
    func bothPathsNameTheSameFailureTheSameWay(code: CurlCode, text: String, connected: Bool, proxy: Bool, reason: String) {
        let r = Self.response(code, text, connected: connected)
        #expect(NetworkFailure.classify(r, viaProxy: proxy)?.rawValue == reason)
        #expect(TokenFailureClassifier.transportReason(r, settings: Self.tokenSettings(proxy: proxy)).rawValue == reason)
        #expect(SMTPClassifier.curlReason(r, answered: false, proxyConfigured: proxy).rawValue == reason)
    }

    @Test func aTimeoutOrALostConnectionAfterConnectingIsLeftToThePath() {
        let timeout = Self.response(.operationTimedOut, "Operation timed out after 30000 milliseconds", connected: true)
        #expect(NetworkFailure.classify(timeout, viaProxy: false) == nil)
        #expect(TokenFailureClassifier.transportReason(timeout, settings: Self.tokenSettings(proxy: false)) == .responseTimeout)
        #expect(SMTPClassifier.curlReason(timeout, answered: false, proxyConfigured: false) == .smtpNoGreeting)
        #expect(SMTPClassifier.curlReason(timeout, answered: true, proxyConfigured: false) == .smtpTimeout)
        let closed = Self.response(.recvError, "Connection reset by peer", connected: true)
        #expect(NetworkFailure.classify(closed, viaProxy: false) == nil)
        #expect(TokenFailureClassifier.transportReason(closed, settings: Self.tokenSettings(proxy: false)) == .connectionClosed)
        #expect(SMTPClassifier.curlReason(closed, answered: true, proxyConfigured: false) == .smtpTransient)
    }
}
