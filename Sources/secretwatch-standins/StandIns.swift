import Foundation
import SecretWatchCrypto
import SecretWatchStandIns

/// The running stand-ins of one `secretwatch-standins` process: throwaway PKI, token stand-in, Exchange stand-in
/// and control endpoint. `shutdown()` stops them and removes the PKI directory unless the user named it.
final class StandIns {
    let pki: ThrowawayPKI
    let ownsPKIDirectory: Bool
    let ca: ThrowawayPKI.Authority
    let token: TokenStandIn
    let exchange: ExchangeStandIn
    let control: StandInControl
    let mailDirectory: String

    init(_ options: StandInsCommand) throws {
        if let dir = options.dir {
            pki = try ThrowawayPKI(directory: dir)
            ownsPKIDirectory = false
        } else {
            pki = try ThrowawayPKI()
            ownsPKIDirectory = true
        }
        do {
            ca = try pki.makeAuthority(named: "secretwatch-standin-ca")
            let identity = try pki.issue(named: "secretwatch-standin", by: ca, for: ["127.0.0.1", "localhost"])

            let secret = try options.secretFile.map { try String(contentsOfFile: $0, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) }
                ?? options.secret
            let accessToken = Self.accessToken()
            let success: TokenStandInBehaviour = secret.map { .requireSecret($0, accessToken: accessToken, expiresIn: options.tokenLifetime) }
                ?? .success(accessToken: accessToken, expiresIn: options.tokenLifetime)
            let issued = IssuedTokens()
            let initial = TokenStandInBehaviour.named(options.tokenBehaviour, success: success, retryAfter: options.retryAfter)!
            let assertions = ClientAssertionVerifier(certificates: try options.registeredCertificate.map {
                try X509Certificate(pemFile: $0)
            })
            token = try TokenStandIn(identity: identity, behaviour: initial, keepAlive: true, port: options.tokenPort, issuedTokens: issued,
                                     assertions: assertions)
            token.graph.setBehaviour(GraphStandInBehaviour.named(options.graphBehaviour, retryAfter: options.retryAfter)!)
            token.graph.setApplications(try options.graphApplicationsFile.map { try Self.applications(fromFile: $0, flag: "--graph-applications-file") }
                ?? StandInApplication.generated(count: options.graphApplications ?? 3))
            if let file = options.graphServicePrincipalsFile {
                token.graph.setServicePrincipals(try Self.applications(fromFile: file, flag: "--graph-service-principals-file"))
            }
            for entry in options.tenantBehaviour {
                let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
                let behaviour = TokenStandInBehaviour.named(parts[1], success: success, retryAfter: options.retryAfter)!
                token.setBehaviour(behaviour, forPath: "/\(parts[0])/oauth2/v2.0/token")
            }

            mailDirectory = try options.mailDir ?? Self.temporaryDirectory("secretwatch-standin-mail")
            var configuration = ExchangeStandInConfiguration(identity: identity, tokens: .issued(by: issued))
            configuration.security = ExchangeStandInConfiguration.Security(rawValue: options.smtpSecurity)!
            configuration.mailboxes = Set(options.mailbox)
            configuration.mailDirectory = mailDirectory
            configuration.unknownRecipients = Set(options.unknownRecipient)
            configuration.sessionsPerMailbox = options.sessionsPerMailbox == 0 ? nil : options.sessionsPerMailbox
            configuration.acceptDelay = Double(options.acceptDelay) / 1000
            configuration.port = options.exchangePort
            exchange = try ExchangeStandIn(configuration)
            exchange.setBehaviour(ExchangeStandInBehaviour(rawValue: options.exchangeBehaviour)!)

            control = try StandInControl(token: token, tokenSuccess: success, exchange: exchange, port: options.controlPort)
        } catch {
            if ownsPKIDirectory { pki.remove() }
            throw error
        }
    }

    func shutdown() {
        control.stop()
        exchange.stop()
        token.stop()
        if ownsPKIDirectory { pki.remove() }
    }

    /// The one JSON line on stdout: everything a client (the demo, a test, a benchmark) needs.
    var descriptionLine: String {
        let object: [String: Any] = [
            "stand_in": "secretwatch local stand-ins, not Microsoft",
            "pid": Int(getpid()),
            "ca_file": ca.certificatePath,
            "pki_dir": pki.directory,
            "token_endpoint": token.tokenEndpointTemplate,
            "token_port": token.port,
            "graph_base_url": "https://127.0.0.1:\(token.port)",
            "graph_scope": GraphStandIn.scope,
            "smtp_host": exchange.host,
            "smtp_port": exchange.port,
            "smtp_url": exchange.url,
            "smtp_security": exchange.configuration.security.rawValue,
            "mailboxes": exchange.configuration.mailboxes.sorted(),
            "mail_dir": mailDirectory,
            "control": control.url,
        ]
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    var banner: String {
        let security = switch exchange.configuration.security {
        case .startTLS: "STARTTLS, then AUTH XOAUTH2"
        case .implicitTLS: "implicit TLS, AUTH XOAUTH2"
        case .noStartTLS: "STARTTLS stripped: nothing can be sent"
        }
        return """

            ┌─ secretwatch-standins: LOCAL STAND-INS, NOT MICROSOFT ─────────────────────────────
            │ Nothing here talks to Entra ID or Exchange Online; the CA below is throwaway.
            │ Entra token endpoint stand-in  \(token.tokenEndpointTemplate)
            │ Microsoft Graph stand-in       https://127.0.0.1:\(token.port)/v1.0/applications, /v1.0/servicePrincipals
            │ Exchange SMTP stand-in         \(exchange.url) (\(security))
            │ throwaway CA (trust only here) \(ca.certificatePath)
            │ accepted mail (.eml files)     \(mailDirectory)
            │ control (docs/stand-ins.md)    \(control.url)/status
            └─ Stop with Ctrl-C or SIGTERM. ─────────────────────────────────────────────────────

            """
    }

    /// A random opaque bearer token about as long as a real Entra access token (1.5–2.5 KB), so clients take
    /// the two-step AUTH form as they must with Exchange.
    static func accessToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<1_400).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let body = Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return "standin." + body
    }

    /// Applications in Graph's shape from a JSON file; a problem names the file and the field.
    static func applications(fromFile path: String, flag: String) throws -> [StandInApplication] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw StandInError("\(flag) \(path): cannot read the file: \(error.localizedDescription)")
        }
        do {
            return try StandInApplication.decodeList(data)
        } catch {
            throw StandInError("\(flag) \(path): \(error)")
        }
    }

    static func temporaryDirectory(_ prefix: String) throws -> String {
        let base = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("\(prefix)-XXXXXX").path
        var template = Array(base.utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw StandInError("mkdtemp \(prefix): \(String(cString: strerror(errno)))")
        }
        return String(cString: made)
    }
}
