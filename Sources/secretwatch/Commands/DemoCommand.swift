import ArgumentParser
import FoundationEssentials
import Glibc
import Logging
import SecretWatchCore

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the whole pipeline on this machine against local stand-ins for Entra ID and Exchange Online.",
        discussion: """
            Starts `secretwatch-standins` (an HTTPS token endpoint that answers like Entra, Microsoft Graph's \
            applications listing of a tenant with fourteen app registrations, an SMTP server that behaves like \
            Exchange Online — all on 127.0.0.1 with a throwaway CA, NOT Microsoft), writes a demo configuration \
            watching seven credentials (one expired, one expiring in 5 days, two healthy, one whose token requests \
            fail with a wrong secret, and two that sign in with a certificate — one valid for a year, one expiring in \
            5 days — whose certificates and keys it makes in DIR/certificates and registers with the token stand-in) \
            and discovering the tenant's secrets and certificates (the SMTP secret's configured date disagrees with \
            Entra's, and a newer secret is not deployed yet), and runs the real daemon against them. Alarm e-mails \
            arrive as .eml files in DIR/mail. Ctrl-C stops everything; DIR and its files stay.
            """)

    @Option(help: "Folder for the demo's configuration, database, certificates and e-mails.")
    var dir = "secretwatch-demo"

    @Option(help: "HTTP listen address (default \(ConfigDefaults.listen), or a free port when that one is taken).")
    var listen: String?

    @Option(help: "The stand-ins executable (default: secretwatch-standins next to this one).")
    var standins: String?

    @Option(help: ArgumentHelp("Stop by itself after this long (e.g. 60s); default: run until Ctrl-C.", valueName: "duration"))
    var stopAfter: String?

    func validate() throws {
        if let stopAfter, DurationText.parse(stopAfter) == nil {
            throw ValidationError("--stop-after \"\(stopAfter)\" is not a duration (use 30s, 2m, …)")
        }
    }

    func run() async throws {
        let workspace: DemoWorkspace
        let lock: DatabaseLock
        let standIns: StandInsProcess
        do {
            workspace = try DemoWorkspace(directory: dir)
            // Before the stand-ins rewrite DIR/pki and the configuration: a second demo on DIR stops here.
            lock = try DatabaseLock(database: workspace.databasePath)
            let executable = standins ?? StandInsProcess.defaultExecutable()
            // The certificate credentials' certificates and keys first: the tenant lists them, the token stand-in
            // registers them.
            try await BlockingExecutor.run { [workspace] in try workspace.makeCertificates(standIns: executable) }
            try workspace.writeGraphApplications(certificates: try workspace.appCertificates())
            standIns = try StandInsProcess(executable: executable, arguments: workspace.standInArguments)
        } catch {
            printError("error: \(error)")
            throw ExitCode(ExitStatus.failed)
        }
        defer { standIns.stop() }
        let address = listen ?? (LocalPort.isFree(ConfigDefaults.listenPort) ? ConfigDefaults.listen : "\(ConfigDefaults.listenHost):\(LocalPort.free())")
        let config: Config
        do {
            let path = try workspace.writeConfiguration(endpoints: standIns.endpoints, listen: address)
            config = try ConfigLoader().load(path: path).config
        } catch {
            printError("error: \(error)")
            throw ExitCode(ExitStatus.failed)
        }
        // The demo prints its own account of what happens; the log keeps to errors.
        LogSetup.bootstrap(level: .error)
        let daemon = try orExit { try Daemon(config: config, databaseLock: lock) }
        printBanner(workspace, standIns.endpoints, address)
        let progress = DemoProgress(store: daemon.store, mailDirectory: workspace.mailDirectory, write: say)
        let watcher = Task {
            while !Task.isCancelled {
                progress.poll()
                try? await Task.sleep(nanoseconds: 1_000_000_000)
            }
        }
        if let stopAfter, let seconds = DurationText.parse(stopAfter) {
            Task {
                try? await Task.sleep(nanoseconds: CheckedConversion.sleepNanoseconds(seconds))
                kill(getpid(), SIGTERM) // the daemon stops gracefully, as on Ctrl-C
            }
        }
        do {
            try await daemon.run()
        } catch {
            printError("error: \(error)")
        }
        watcher.cancel()
        progress.poll()
        say("\ndemo stopped. Everything it wrote stays in \(workspace.directory) (secretwatch.yml, secretwatch.db, mail/*.eml).")
        say("look again with: secretwatch alarms --config \(workspace.configPath) --events")
    }

    private func printBanner(_ workspace: DemoWorkspace, _ endpoints: StandInsProcess.Endpoints, _ address: String) {
        let base = "http://\(address)"
        say("""
            secretwatch demo — LOCAL STAND-INS for Entra ID and Exchange Online on 127.0.0.1, not Microsoft.
              Entra token endpoint stand-in:  \(endpoints.tokenEndpoint)
              Microsoft Graph stand-in:       \(endpoints.graphBaseURL)/v1.0/applications (tenant \(DemoTenant.name): \(DemoTenant.applications.count) app registrations)
              Exchange SMTP stand-in:         \(endpoints.smtpHost):\(endpoints.smtpPort) (STARTTLS, AUTH XOAUTH2)
              demo folder:                    \(workspace.directory)
                                              (secretwatch.yml, secretwatch.db, mail/*.eml, throwaway CA in pki/)
            watched credentials:
              ise-smtp        sends the alarm e-mails and reads Graph; configured: 200 days left — Entra says \(Int(DemoTenant.smtpSecretExpiresInDays)),
                              and a newer secret, created \(Int(DemoTenant.rotationCreatedDaysAgo)) days ago, is not deployed yet
            """)
        for c in DemoWorkspace.credentials {
            say("  \(c.name.fitted(to: 15)) \(c.story)")
        }
        for c in DemoWorkspace.certificateCredentials {
            say("  \(c.name.fitted(to: 15)) \(c.story) (certificates/\(c.name).crt)")
        }
        say("""
            discovered from the Graph stand-in: every secret and certificate of the \(DemoTenant.applications.count) apps of tenant \(DemoTenant.name) \
            (\(DemoTenant.credentialCount)), three of them expired or expiring within 30 days
            """)
        say("""
            try, in another terminal:
              curl -s \(base)/metrics | grep '^secretwatch_client_secret'
              curl -s \(base)/metrics | grep 'type="certificate"'
              curl -s \(base)/api/v1/alarms | python3 -m json.tool
              curl -s \(base)/api/v1/credentials | python3 -m json.tool
              ls \(workspace.mailDirectory)
              .build/debug/secretwatch status --config \(workspace.configPath)
            Ctrl-C stops the demo.

            what happens:
            """)
    }
}

/// Unbuffered standard output, so the demo's lines appear as they happen even through a pipe.
func say(_ text: String) {
    StandardStream.output.write(text + "\n")
}

/// Loopback port helpers for the demo's HTTP listener.
enum LocalPort {
    static func isFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    static func free() -> Int {
        for _ in 0..<50 {
            let port = Int.random(in: 20000...60000)
            if isFree(port) { return port }
        }
        return 0
    }
}
