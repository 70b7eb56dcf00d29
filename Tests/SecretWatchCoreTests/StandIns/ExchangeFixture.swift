import Foundation
import SecretWatchStandIns
@testable import SecretWatchCore
import SecretWatchCurl

/// A token stand-in and an Exchange stand-in sharing one throwaway CA and one registry of issued tokens, a mail
/// directory, and a libcurl client for both: what every Exchange stand-in test starts from.
final class ExchangeFixture: Sendable {
    static let mailbox = "alerts@contoso.example"
    static let secret = "stand-in-secret-value"

    let pki: ThrowawayPKI
    let ca: ThrowawayPKI.Authority
    let token: TokenStandIn
    let exchange: ExchangeStandIn
    let mailDirectory: String

    init(security: ExchangeStandInConfiguration.Security = .startTLS, accessToken: String = "stand-in-token-" + UUID().uuidString,
         sessionsPerMailbox: Int? = 3, unknownRecipients: Set<String> = []) throws {
        pki = try ThrowawayPKI()
        ca = try pki.makeAuthority(named: "standin-ca")
        let identity = try pki.issue(named: "standin", by: ca, for: ["127.0.0.1", "localhost"])
        let issued = IssuedTokens()
        token = try TokenStandIn(identity: identity, behaviour: .requireSecret(Self.secret, accessToken: accessToken, expiresIn: 3599),
                                 issuedTokens: issued)
        mailDirectory = pki.directory + "/mail"
        var configuration = ExchangeStandInConfiguration(identity: identity, tokens: .issued(by: issued))
        configuration.security = security
        configuration.mailboxes = [Self.mailbox]
        configuration.mailDirectory = mailDirectory
        configuration.sessionsPerMailbox = sessionsPerMailbox
        configuration.unknownRecipients = unknownRecipients
        exchange = try ExchangeStandIn(configuration)
    }

    func shutdown() {
        exchange.stop()
        token.stop()
        pki.remove()
    }

    /// A client-credentials token request to the token stand-in; the access token.
    func fetchToken(secret: String = ExchangeFixture.secret) throws -> String {
        let easy = try CurlEasy(secrets: Redactor.shared.curlSecrets)
        try easy.set([.url(token.tokenEndpoint(tenant: "contoso")), .caFile(ca.certificatePath), .proxy(""), .timeout(10),
                      .post(body: "grant_type=client_credentials&client_id=app&client_secret=\(secret)&scope=https%3A%2F%2Foutlook.office365.com%2F.default",
                            headers: ["Content-Type: application/x-www-form-urlencoded"])])
        let response = easy.perform()
        let object = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
        guard response.ok, let accessToken = object?["access_token"] as? String else {
            throw TestFailure("token request failed: \(response.codeText) \(String(decoding: response.body, as: UTF8.self))")
        }
        return accessToken
    }

    /// One message through the real libcurl SMTP client (STARTTLS required, XOAUTH2).
    func send(_ message: String = ExchangeFixture.message(), bearer: String, user: String = ExchangeFixture.mailbox,
              from: String = ExchangeFixture.mailbox, to recipients: [String] = ["ops@contoso.example"],
              allowRecipientFailures: Bool = false, timeout: TimeInterval = 20, easy: CurlEasy? = nil) throws -> CurlResponse {
        let easy = try easy ?? CurlEasy(secrets: Redactor.shared.curlSecrets)
        try easy.set([.url(exchange.url), .requireTLS, .caFile(ca.certificatePath), .proxy(""), .connectTimeout(10), .timeout(timeout),
                      .xoauth2(user: user, bearer: bearer), .mailFrom(from), .mailRecipients(recipients),
                      .allowRecipientFailures(allowRecipientFailures), .upload(Data(message.utf8))])
        return easy.perform()
    }

    /// Opens a session and authenticates (greeting, EHLO, STARTTLS, EHLO, AUTH), then holds it open as long as
    /// the returned handle lives.
    func holdSession(bearer: String) throws -> (CurlEasy, CurlResponse) {
        let easy = try CurlEasy(secrets: Redactor.shared.curlSecrets)
        try easy.set([.url(exchange.url), .requireTLS, .caFile(ca.certificatePath), .proxy(""), .connectTimeout(10), .timeout(20),
                      .xoauth2(user: Self.mailbox, bearer: bearer), .connectOnly])
        return (easy, easy.perform())
    }

    /// The `.eml` files written so far, sorted by name.
    func mailFiles() throws -> [String] {
        guard FileManager.default.fileExists(atPath: mailDirectory) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: mailDirectory).filter { $0.hasSuffix(".eml") }.sorted()
    }

    static func message(id: String = "<\(UUID().uuidString)@secretwatch.test>", body: String = "Body line.\r\n") -> String {
        "From: secretwatch <\(mailbox)>\r\nTo: ops@contoso.example\r\nSubject: stand-in test\r\nMessage-ID: \(id)\r\n" +
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body
    }
}

extension CurlResponse {
    /// The last 4xx/5xx reply line of an SMTP conversation (libcurl still sends QUIT after most failures).
    var failureReply: String? { headerLines.last { $0.first == "4" || $0.first == "5" } }
}
