import Foundation
import Testing
@testable import SecretWatchCore

/// The built `secretwatch` binary, run as a subprocess on a temporary database.
@Suite("CLI end to end")
struct CLITests {
    let binary = TestPaths.executable

    func run(_ arguments: [String], env: [String: String] = [:]) async throws -> ProcessOutput {
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "SECRETWATCH_CONFIG")
        environment.merge(env) { _, new in new }
        return try await runProcess(binary, arguments, environment: environment)
    }

    /// A config whose SMTP secret expires in 10 days (from the real clock).
    func tenDayConfig(_ dir: TemporaryDirectory, secret: String = "cli-canary-secret-0815", extra: String = "") throws -> String {
        try dir.write("secret.txt", secret + "\n", mode: 0o600)
        return try dir.write("secretwatch.yml", TestConfig.yaml(database: dir.file("sw.db"), expires: Date().addingTimeInterval(10 * 86400 + 600),
                                                                extra: extra))
    }

    @Test("every command has --help and exits 0")
    func help() async throws {
        for command in [[], ["run"], ["check"], ["status"], ["alarms"]] {
            let out = try await run(command + ["--help"])
            #expect(out.status == 0, "\(command) --help exited \(out.status)")
            #expect(out.stdout.contains("USAGE: secretwatch"), "\(command)")
        }
        let overview = try await run(["--help"]).stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(overview.contains("Exit codes: 0 ok; 1 a check failed or a runtime failure; 2 usage error or invalid configuration."))
    }

    @Test("usage errors exit 2")
    func usageErrors() async throws {
        let unknown = try await run(["frobnicate"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("Unexpected argument 'frobnicate'"))
        let badLimit = try await run(["alarms", "--database", "/tmp/x.db", "--limit", "0"])
        #expect(badLimit.status == 2)
        #expect(badLimit.stderr.contains("--limit must be a positive number, got 0"))
        let badLevel = try await run(["check", "--log-level", "loud"])
        #expect(badLevel.status == 2)
        #expect(badLevel.stderr.contains("--log-level must be one of trace, debug, info, notice, warning, error, critical; got \"loud\""))
    }

    @Test("check passes a good config and lists every problem of a bad one with exit 2")
    func check() async throws {
        let dir = TemporaryDirectory()
        let good = try tenDayConfig(dir)
        let ok = try await run(["check", "--config", good])
        #expect(ok.status == 0)
        #expect(ok.stdout.contains("configuration \(good) is valid"))
        #expect(ok.stdout.contains("smtp  "))
        #expect(!ok.stdout.contains("cli-canary-secret-0815") && !ok.stderr.contains("cli-canary-secret-0815"))

        let bad = try dir.write("bad.yml", """
            smtp:
              auth:
                mailbox: not-an-address
                tenant_id: \(TestConfig.tenant)
                client_id: 123
                client_secret: inline-canary-secret
                secret_expires: 2027-02-30
            notifications:
              to: [admin@contoso.com]
              colour: blue
            """)
        let failed = try await run(["check", "--config", bad])
        #expect(failed.status == 2)
        #expect(failed.stdout.isEmpty)
        #expect(failed.stderr.contains("error: configuration \(bad) has 5 problems:"))
        #expect(failed.stderr.contains("  - smtp.auth.mailbox: \"not-an-address\" is not an e-mail address (expected name@domain)"))
        #expect(failed.stderr.contains("  - smtp.auth.client_id: \"123\" is not a GUID"))
        #expect(failed.stderr.contains("  - smtp.auth.client_secret: inline secrets are not allowed"))
        #expect(failed.stderr.contains("  - smtp.auth.secret_expires: \"2027-02-30\" is not a date"))
        #expect(failed.stderr.contains("  - notifications.colour: unknown field"))
        #expect(!failed.stderr.contains("inline-canary-secret"))

        let missing = try await run(["check", "--config", dir.file("nope.yml")])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("cannot read \"\(dir.file("nope.yml"))\": No such file or directory"))
    }

    @Test("SECRETWATCH_CONFIG names the default configuration")
    func configFromEnvironment() async throws {
        let dir = TemporaryDirectory()
        let config = try tenDayConfig(dir)
        let out = try await run(["check"], env: ["SECRETWATCH_CONFIG": config])
        #expect(out.status == 0)
    }

    @Test("run --once raises the expiring alarm; alarms --active --json and status show it; a second run adds nothing")
    func runOnceThenAlarms() async throws {
        let dir = TemporaryDirectory()
        // The first retry waits 10 minutes, so the second run finds it not due however slow the machine is.
        let config = try tenDayConfig(dir, extra: "mailer:\n  retry_initial: 10m")
        // The token endpoint refuses: the alarm e-mail cannot go out, and is retried only after the deadline.
        let first = try await run(["run", "--once", "--config", config, "--deliver-timeout", "2s"])
        #expect(first.status == 1, "\(first.stderr)")
        #expect(first.stderr.contains("msg=\"alarm raised\""))
        #expect(first.stderr.contains("kind=client_secret_expiring"))
        #expect(first.stderr.contains("error: 1 e-mail is still queued after --deliver-timeout 2s"))
        #expect(SecretReader.mode(ofFile: dir.file("sw.db")) == 0o600)

        // Its retry is not due before this run's deadline: nothing failed now.
        let second = try await run(["run", "--once", "--config", config, "--deliver-timeout", "2s"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(!second.stderr.contains("alarm raised"))

        let json = try await run(["alarms", "--active", "--kind", "client_secret_expiring", "--json", "--config", config])
        #expect(json.status == 0, "\(json.stderr)")
        struct Listing: Decodable {
            struct Alarm: Decodable {
                struct Event: Decodable { var type: String; var severity: String? }
                var id: Int; var kind: String; var credential: String; var state: String; var severity: String
                var threshold_days: Int?; var summary: String; var events: [Event]
            }
            var alarms: [Alarm]
        }
        let listing = try JSONDecoder().decode(Listing.self, from: Data(json.stdout.utf8))
        #expect(listing.alarms.count == 1)
        let alarm = try #require(listing.alarms.first)
        #expect(alarm.kind == "client_secret_expiring")
        #expect(alarm.credential == "smtp")
        #expect(alarm.state == "active")
        #expect(alarm.severity == "warning")
        #expect(alarm.threshold_days == 14)
        #expect(alarm.summary.hasSuffix("(11 days left)") || alarm.summary.hasSuffix("(10 days left)"))
        #expect(alarm.events.map(\.type) == ["raised", "notified"])

        let status = try await run(["status", "--config", config])
        #expect(status.status == 0, "\(status.stderr)")
        let row = try #require(status.stdout.split(separator: "\n").first { $0.hasPrefix("smtp ") })
        #expect(row.contains(TestConfig.client))
        #expect(row.contains("#\(alarm.id) client_secret_expiring (warning)"))
        #expect(status.stdout.contains("last scheduler pass: 20"))

        let table = try await run(["alarms", "--database", dir.file("sw.db"), "--events"])
        #expect(table.status == 0)
        #expect(table.stdout.contains("client_secret_expiring"))
        #expect(table.stdout.contains("raised"))

        for output in [first, second, json, status, table] {
            #expect(!(output.stdout + output.stderr).contains("cli-canary-secret-0815"))
        }
    }

    @Test("status and alarms on a database that does not exist exit 1 and create nothing")
    func missingDatabase() async throws {
        let dir = TemporaryDirectory()
        let out = try await run(["status", "--database", dir.file("none.db")])
        #expect(out.status == 1)
        #expect(out.stderr.contains("does not exist yet"))
        #expect(!FileManager.default.fileExists(atPath: dir.file("none.db")))
    }

    @Test("ack refuses control characters naming the option; alarms --events shows stored ones escaped")
    func controlCharacters() async throws {
        let dir = TemporaryDirectory()
        let database = dir.file("sw.db")
        let alarmId = try TestConfig.expiringAlarm(in: database)
        for (option, value) in [("--comment", "\u{1B}[2Jall clear"), ("--comment", "done\r\nforged line"), ("--by", "bo\u{07}b"),
                                ("--by", "\u{1B}[8mmallory")] {
            let out = try await run(["ack", "\(alarmId)", "--database", database, "--by", option == "--by" ? value : "alice",
                                     "--comment", option == "--comment" ? value : "ok"])
            #expect(out.status == 2, "\(option) \(value.debugDescription): \(out.stderr)")
            #expect(out.stderr.contains("\(option) contains a control character or line break"), "\(out.stderr)")
        }
        #expect(try Store(path: database).alarm(id: alarmId)?.acknowledgedAt == nil)

        // Text stored raw (by an older version, or straight into the database) is printed escaped.
        let store = try Store(path: database)
        _ = try AlarmEngine(store: store).acknowledge(alarmId: alarmId, by: "mallory\u{1B}[8m",
                                                      comment: "\u{1B}]0;pwned\u{07}\u{1B}[2Jdone\r\nforged\u{9B}31m", at: Date())
        let listing = try await run(["alarms", "--events", "--database", database])
        #expect(listing.status == 0, "\(listing.stderr)")
        #expect(!listing.stdout.unicodeScalars.contains { $0 != "\n" && $0.properties.generalCategory == .control }, "\(listing.stdout.debugDescription)")
        #expect(listing.stdout.contains(#"acknowledged by mallory\u{1B}[8m: \u{1B}]0;pwned\u{7}\u{1B}[2Jdone\u{D}\u{A}forged\u{9B}31m"#), "\(listing.stdout)")
        #expect(listing.stdout.contains(#"mallory\u{1B}[8m "#), "the ACK column: \(listing.stdout)")
    }

    @Test("run with its HTTP port taken exits 1 before any pass or mail")
    func portTaken() async throws {
        let dir = TemporaryDirectory()
        // Someone else listens on the port.
        let holder = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { close(holder) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(holder, $0, length) == 0 && listen(holder, 8) == 0 && getsockname(holder, $0, &length) == 0 }
        }
        try #require(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        // The secret expires in 10 days: a pass would raise an alarm and queue its e-mail.
        try dir.write("secret.txt", "cli-canary-secret-0815\n", mode: 0o600)
        let config = try dir.write("secretwatch.yml", TestConfig.yaml(database: dir.file("sw.db"), expires: Date().addingTimeInterval(10 * 86400),
                                                                         extra: "http:\n  listen: 127.0.0.1:\(port)"))
        let out = try await run(["run", "--config", config])
        #expect(out.status == 1, "\(out.stderr)")
        #expect(out.stderr.contains("cannot start the HTTP server on 127.0.0.1:\(port)"), "\(out.stderr)")
        #expect(!out.stderr.contains("alarm raised"), "\(out.stderr)")
        if FileManager.default.fileExists(atPath: dir.file("sw.db")) {
            let store = try Store(path: dir.file("sw.db"))
            #expect(try store.meta("scheduler.last_pass_at") == nil, "a scheduler pass was recorded")
            #expect(try store.withRawConnection { try $0.scalar("SELECT COUNT(*) FROM outbox")?.int } == 0, "mail was queued")
            #expect(try store.activeAlarms().isEmpty)
        }
    }

    @Test("a running daemon cannot be dumped or traced: /proc/<pid> belongs to root, not to its user")
    func notDumpable() async throws {
        let dir = TemporaryDirectory()
        let port = try freeLocalPort()
        try dir.write("secret.txt", "cli-canary-secret-0815\n", mode: 0o600)
        let config = try dir.write("secretwatch.yml", TestConfig.yaml(database: dir.file("sw.db"), expires: Date().addingTimeInterval(100 * 86400),
                                                                         extra: "http:\n  listen: 127.0.0.1:\(port)"))
        // The kernel gives /proc/<pid> of a process that is not dumpable to root: as root, the daemon runs as nobody
        // so that the owner tells.
        let asRoot = getuid() == 0
        let nobody: uid_t = 65534
        if asRoot {
            for path in [dir.path, config, dir.file("secret.txt")] { try #require(chown(path, nobody, gid_t(nobody)) == 0, "chown \(path)") }
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: asRoot ? "/usr/bin/setpriv" : binary)
        process.arguments = (asRoot ? ["--reuid=\(nobody)", "--regid=\(nobody)", "--clear-groups", binary] : []) + ["run", "--config", config]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.runExclusively()
        defer { process.end(grace: 10) }
        var metrics: TestResponse?
        for _ in 0..<200 where metrics == nil {
            metrics = try? httpRequest(port: port, "GET", "/metrics")
            if metrics == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        try #require(metrics?.status == 200, "the daemon never answered on port \(port)")
        let pid = process.processIdentifier
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let uid = try #require(status.split(separator: "\n").first { $0.hasPrefix("Uid:") }?.split(whereSeparator: \.isWhitespace).dropFirst().first)
        #expect(uid != "0", "the daemon must run as a user other than root for the owner to tell: \(uid)")
        var info = stat()
        try #require(stat("/proc/\(pid)/status", &info) == 0)
        #expect(info.st_uid == 0, "/proc/\(pid)/status belongs to uid \(info.st_uid): the daemon is dumpable")
        // No core file either: the core size limit is 0, soft and hard (root reads the limits of any process).
        if asRoot {
            let limits = try String(contentsOfFile: "/proc/\(pid)/limits", encoding: .utf8)
            let core = try #require(limits.split(separator: "\n").first { $0.hasPrefix("Max core file size") })
            #expect(core.split(whereSeparator: \.isWhitespace).dropFirst(4).prefix(2) == ["0", "0"], "\(core)")
        }
        // And the shipped unit says the same to systemd.
        let unit = try String(contentsOf: repositoryRoot.appendingPathComponent("deploy/secretwatch.service"), encoding: .utf8)
        #expect(unit.split(separator: "\n").contains("LimitCORE=0"))
        // The process still reads its own /proc entries for the process_* metrics.
        #expect(metrics?.text.contains("\nprocess_open_fds ") == true)
    }

    @Test("run stops gracefully on SIGTERM")
    func sigterm() async throws {
        let dir = TemporaryDirectory()
        let config = try tenDayConfig(dir)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["run", "--config", config]
        process.standardOutput = FileHandle.nullDevice
        let err = try process.runExclusively { () -> Pipe in
            let err = Pipe()
            process.standardError = err
            return err
        }
        defer { process.end(grace: 5) }
        let stderr = PipeCollector(err.fileHandleForReading)
        // Wait for the first pass (the alarm is in the database), then ask it to stop.
        let store = try Store(path: dir.file("sw.db"))
        for _ in 0..<200 where (try? store.activeAlarms().filter(\.kind.isExpiry).count) != 1 { try await Task.sleep(nanoseconds: 50_000_000) }
        #expect(try store.activeAlarms().filter(\.kind.isExpiry).count == 1)
        process.terminate()
        // Waits on a Dispatch thread, not the cooperative pool (see `runProgram`).
        #expect(try await process.ending() == .exit(0))
        #expect(await stderr.text().contains("secretwatch stopped"))
    }
}
