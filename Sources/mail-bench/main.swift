// mail-bench: drives secretwatch's outbox and delivery service against a local SMTP server (the aiosmtpd
// stand-in in Tests/SecretWatchCoreTests/SMTP/Fixtures), with a fixed bearer token read from a file.
// Used by scripts/bench-mail.sh (throughput) and by the kill -9 test (a real process dying mid-batch).
// Not part of the product: it never talks to Entra or Exchange.
//
//   mail-bench --db PATH --port N --ca FILE --token-file FILE [--enqueue N] [--deliver]
//              [--concurrency 3] [--rate 0] [--from ADDR] [--certificate-info]
//   mail-bench --matrix SMTP,NOTLS,BLACKHOLE,DENYPROXY,CLOSED --ca FILE --token-file FILE
import Foundation
import SecretWatchCore
import SecretWatchTesting

struct Options {
    var db = ""
    var port = 0
    var ca = ""
    var tokenFile = ""
    var enqueue = 0
    var deliver = false
    var concurrency = 3
    var rate = 0
    var from = "bench@contoso.example"
    /// Record the server's chain as the daemon does (CURLOPT_CERTINFO on every session).
    var certificateInfo = false
    /// --matrix SMTP,NOTLS,BLACKHOLE,DENYPROXY,CLOSED ports
    var matrix: [Int] = []

    init(_ arguments: [String]) {
        var i = 0
        func value() -> String {
            i += 1
            guard i < arguments.count else { fatalError("missing value for \(arguments[i - 1])") }
            return arguments[i]
        }
        while i < arguments.count {
            switch arguments[i] {
            case "--db": db = value()
            case "--port": port = Int(value())!
            case "--ca": ca = value()
            case "--token-file": tokenFile = value()
            case "--enqueue": enqueue = Int(value())!
            case "--deliver": deliver = true
            case "--certificate-info": certificateInfo = true
            case "--concurrency": concurrency = Int(value())!
            case "--rate": rate = Int(value())!
            case "--from": from = value()
            case "--matrix": matrix = value().split(separator: ",").map { Int($0)! }
            default: fatalError("unknown argument \(arguments[i])")
            }
            i += 1
        }
    }
}

/// The bearer token: the first line of the token file.
func firstLine(ofFile path: String) throws -> String {
    try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").first.map(String.init) ?? ""
}

let options = Options(Array(CommandLine.arguments.dropFirst()))
if options.matrix.count == 5 {
    let token = try firstLine(ofFile: options.tokenFile)
    let m = options.matrix
    try await FailureMatrix(smtpPort: m[0], noTLSPort: m[1], blackholePort: m[2], denyingProxyPort: m[3], closedPort: m[4],
                            ca: options.ca, goodToken: token).run()
    exit(0)
}
let yaml = """
    database: \(options.db)
    smtp:
      host: localhost
      port: \(options.port)
      ca_file: \(options.ca)
      auth:
        name: smtp
        mailbox: \(options.from)
        tenant_id: 00000000-0000-0000-0000-000000000000
        client_id: 00000000-0000-0000-0000-000000000000
        client_secret_env: BENCH_UNUSED
        secret_expires: 2099-01-01
    notifications:
      to: [admin1@contoso.example]
    """
let smtp = try ConfigLoader(environment: ["BENCH_UNUSED": "unused-placeholder"], checkSecrets: false)
    .parse(yaml, path: "/dev/null").config.smtp
let store = try Store(path: options.db)
try store.syncCredentials([smtp.auth.credential], now: Date())

if options.enqueue > 0 {
    let now = Date()
    try store.transaction { tx in
        for i in 0..<options.enqueue {
            let body = "Benchmark mail \(i).\n.line starting with a dot\nÄÖÜ äöü 🔑\n" + String(repeating: "lorem ipsum ", count: 40) + "\n"
            let m = MailMessage(from: options.from, to: ["admin1@contoso.example", "admin2@contoso.example"],
                                subject: "secretwatch bench \(i) — Geheimnis läuft ab", body: body, date: now)
            try tx.enqueue(m, kind: .test, at: now)
        }
    }
    print("enqueued \(options.enqueue)")
}

if options.deliver {
    // One fixed token, like a warm cache; counts how often the mailer asked.
    let tokens = TestTokenProvider([try firstLine(ofFile: options.tokenFile)])
    let engine = AlarmEngine(store: store)
    let certificates = options.certificateInfo ? EndpointCertificates() : nil
    let service = DeliveryService(store: store, alarm: MailDeliveryEvaluator(engine: engine, credentialName: "smtp"),
                                  settings: .init(smtp: smtp, mailer: MailerConfig(concurrency: options.concurrency, ratePerMinute: options.rate,
                                                                                   pollInterval: 0.2),
                                                  tokens: tokens),
                                  clock: SystemClock(), certificates: certificates)
    let before = try store.outboxSnapshot()
    let started = ContinuousClock.now
    let task = Task { try await service.run() }
    while try store.outboxSnapshot().depth > 0 {
        try await Task.sleep(nanoseconds: 20_000_000)
    }
    let elapsed = ContinuousClock.now - started
    task.cancel()
    _ = try? await task.value
    let seconds = elapsed.timeInterval
    let after = try store.outboxSnapshot()
    let stats = service.statistics
    let delivered = after.sent - before.sent
    print(String(format: "delivered=%d failed=%d attempts=%d seconds=%.2f mails_per_second=%.1f token_requests=%d distinct_tokens=1 retries_after_535=%d",
                 delivered, after.failed - before.failed, stats.attempts, seconds, Double(delivered) / seconds,
                 tokens.requests, stats.retriesAfter535))
    if let certificates { print("certificates recorded: \(certificates.all.count)") }
}
