import ArgumentParser
import Foundation
import SecretWatchStandIns

/// Runs the Entra token stand-in and the Exchange SMTP stand-in together on 127.0.0.1 with a throwaway CA,
/// prints one JSON line describing them on stdout and a banner on stderr, and runs until SIGTERM or SIGINT.
/// These are local stand-ins for tests and the demo, not Microsoft services.
@main
struct StandInsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secretwatch-standins",
        abstract: "Local stand-ins (NOT Microsoft) for the Entra token endpoint and Exchange Online SMTP, for the demo and tests.",
        discussion: """
            Prints one JSON line on stdout (ca_file, token_endpoint, smtp_host, smtp_port, mail_dir, control, …), \
            then runs until SIGTERM or SIGINT. Behaviours can be changed while running through the control \
            endpoint (docs/stand-ins.md). Token behaviours: \(TokenStandInBehaviour.names.joined(separator: ", ")). \
            Exchange behaviours: \(ExchangeStandInBehaviour.allCases.map(\.rawValue).joined(separator: ", ")). \
            Graph behaviours: \(GraphStandInBehaviour.names.joined(separator: ", ")).
            """)

    @Option(help: "Directory for the throwaway CA and certificates (kept at exit). Default: a temporary directory, removed at exit.")
    var dir: String?

    @Option(help: "Client secret the token stand-in requires (anything else gets AADSTS7000215). Default: any secret succeeds.")
    var secret: String?

    @Option(help: "File holding the client secret the token stand-in requires (instead of --secret).")
    var secretFile: String?

    @Option(help: "PEM certificate registered for the app (repeatable): a request with a client_assertion gets a token only when the assertion is signed by the key of one of them (aud, iss/sub, nbf/exp and jti checked too). Default: none registered (every assertion is refused with AADSTS700027).")
    var registeredCertificate: [String] = []

    @Option(help: "Mint an app certificate and its RSA key into --dir as NAME.crt and NAME.key (mode 0600), valid for DAYS from now (repeatable: NAME=DAYS), print one JSON line naming the files, and exit without starting any stand-in.")
    var makeAppCertificate: [String] = []

    @Option(help: "Token behaviour for every tenant without its own (see the list above).")
    var tokenBehaviour: String = "success"

    @Option(help: "Token behaviour for one tenant: TENANT=BEHAVIOUR, e.g. broken-tenant=invalid_client_secret (repeatable).")
    var tenantBehaviour: [String] = []

    @Option(help: "Seconds the issued access token is valid for.")
    var tokenLifetime: Int = 3599

    @Option(help: "Retry-After seconds of the throttled token behaviour.")
    var retryAfter: Int = 5

    @Option(help: "Behaviour of the Microsoft Graph stand-in (GET /v1.0/applications on the token port; see the list above).")
    var graphBehaviour: String = "normal"

    @Option(help: "Number of generated app registrations the Graph stand-in lists, each with one secret and one certificate (default: 3).")
    var graphApplications: Int?

    @Option(help: "JSON file of the app registrations the Graph stand-in lists, in Graph's shape (a list, or a Graph answer with a \"value\" list); instead of --graph-applications.")
    var graphApplicationsFile: String?

    @Option(help: "JSON file of the service principals the Graph stand-in lists at /v1.0/servicePrincipals, in the same shape (default: none).")
    var graphServicePrincipalsFile: String?

    @Option(help: "Directory where accepted mail is written as .eml files (kept). Default: a new temporary directory, kept.")
    var mailDir: String?

    @Option(help: "Mailbox allowed to authenticate and send (repeatable). Default: any mailbox.")
    var mailbox: [String] = []

    @Option(help: "How SMTP is encrypted: starttls (like smtp.office365.com:587), implicit (TLS from the first byte) or none (STARTTLS stripped: nothing can be sent).")
    var smtpSecurity: String = "starttls"

    @Option(help: "Exchange behaviour at start (see the list above).")
    var exchangeBehaviour: String = "normal"

    @Option(help: "Recipient answered with 550 5.1.10 at RCPT TO (repeatable).")
    var unknownRecipient: [String] = []

    @Option(help: "Concurrent authenticated sessions per mailbox before 432 4.3.2 (Exchange Online: 3); 0 for no cap.")
    var sessionsPerMailbox: Int = 3

    @Option(help: "Milliseconds the end of DATA waits before the message is queued and answered (Exchange Online takes a few hundred).")
    var acceptDelay: Int = 0

    @Option(help: "Fixed port for the Exchange SMTP stand-in (default: random).")
    var exchangePort: Int = 0

    @Option(help: "Fixed port for the token stand-in (default: random).")
    var tokenPort: Int = 0

    @Option(help: "Fixed port for the control endpoint (default: random).")
    var controlPort: Int = 0

    func validate() throws {
        for entry in makeAppCertificate where AppCertificates.parse(entry) == nil {
            throw ValidationError("--make-app-certificate must be NAME=DAYS (NAME of letters, digits, '.', '_', '-'; DAYS a number within ±3650), not \(entry)")
        }
        if !makeAppCertificate.isEmpty && dir == nil {
            throw ValidationError("--make-app-certificate needs --dir: the directory the certificates and keys are written to")
        }
        guard secret == nil || secretFile == nil else { throw ValidationError("give --secret or --secret-file, not both") }
        guard ExchangeStandInConfiguration.Security(rawValue: smtpSecurity) != nil else {
            throw ValidationError("--smtp-security must be starttls, implicit or none")
        }
        guard ExchangeStandInBehaviour(rawValue: exchangeBehaviour) != nil else {
            throw ValidationError("unknown --exchange-behaviour \(exchangeBehaviour)")
        }
        guard TokenStandInBehaviour.named(tokenBehaviour, success: .closeWithoutResponse) != nil else {
            throw ValidationError("unknown --token-behaviour \(tokenBehaviour)")
        }
        for entry in tenantBehaviour {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, TokenStandInBehaviour.named(parts[1], success: .closeWithoutResponse) != nil else {
                throw ValidationError("--tenant-behaviour must be TENANT=BEHAVIOUR with a known behaviour, not \(entry)")
            }
        }
        guard GraphStandInBehaviour.named(graphBehaviour) != nil else {
            throw ValidationError("unknown --graph-behaviour \(graphBehaviour)")
        }
        guard graphApplications == nil || graphApplicationsFile == nil else {
            throw ValidationError("give --graph-applications or --graph-applications-file, not both")
        }
        if let graphApplications, !(0...GraphStandIn.maximumApplications).contains(graphApplications) {
            throw ValidationError("--graph-applications is 0…\(GraphStandIn.maximumApplications)")
        }
        for port in [exchangePort, tokenPort, controlPort] where !(0...65535).contains(port) {
            throw ValidationError("ports are 0…65535 (0: random)")
        }
        guard sessionsPerMailbox >= 0, tokenLifetime > 0, retryAfter >= 0, (0...60_000).contains(acceptDelay) else {
            throw ValidationError("--sessions-per-mailbox, --token-lifetime and --retry-after must not be negative; --accept-delay is 0…60000 ms")
        }
    }

    func run() throws {
        if !makeAppCertificate.isEmpty, let dir {
            try Self.emit(try AppCertificates.make(makeAppCertificate.compactMap(AppCertificates.parse), in: dir))
            return
        }
        // Before any thread starts, so every thread inherits the mask and sigwait below receives the signal.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        pthread_sigmask(SIG_BLOCK, &signals, nil)

        let running = try StandIns(self)
        defer { running.shutdown() }
        try Self.emit(running.descriptionLine)
        FileHandle.standardError.write(Data(running.banner.utf8))

        var received: Int32 = 0
        sigwait(&signals, &received)
        FileHandle.standardError.write(Data("secretwatch-standins: signal \(received), stopping the stand-ins\n".utf8))
    }

    static func emit(_ line: String) throws {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
