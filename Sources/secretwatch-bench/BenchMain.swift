import FoundationEssentials
import Glibc
import Logging
import SecretWatchCore

/// The daemon as `make bench-metrics` measures it: `Daemon` built from a configuration (the benchmark
/// generates one with 1,000 credentials), fed the telemetry the token client and the mailer would report
/// for every credential, then run exactly like `secretwatch run` until SIGTERM. Not shipped; benchmark only.
/// Foundation-free like `secretwatch`, so that its memory is that of the shipped daemon.
@main
enum BenchMain {
    static func main() async {
        let arguments = CommandLine.arguments
        guard arguments.count == 2 else {
            StandardStream.error.write("usage: secretwatch-bench CONFIG.yml\n")
            exit(2)
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
        do {
            let loaded = try ConfigLoader().load(path: arguments[1])
            let daemon = try Daemon(config: loaded.config)
            feed(daemon.telemetry, credentials: loaded.config.allCredentials, now: Date())
            try await daemon.run()
        } catch {
            StandardStream.error.write("secretwatch-bench: \(error)\n")
            exit(1)
        }
    }

    /// One successful token request per credential (cached token expiry, last success), a failure with a
    /// classified reason for every tenth, a day of mail sends and a small outbox.
    static func feed(_ telemetry: TelemetryHub, credentials: [Credential], now: Date) {
        let reasons = ["invalid_client_secret", "connect_timeout", "tls_untrusted_certificate", "invalid_tenant"]
        for (i, credential) in credentials.enumerated() {
            telemetry.tokenAttempt(TokenAttempt(credential: credential.name, startedAt: now.addingTimeInterval(-120),
                                                duration: 0.1 + Double(i % 7) * 0.05, outcome: .success, expiresIn: 3599))
            if i % 10 == 0 {
                telemetry.tokenAttempt(TokenAttempt(credential: credential.name, startedAt: now.addingTimeInterval(-60),
                                                    duration: 2.5, outcome: .failure, reason: reasons[i / 10 % reasons.count]))
            }
        }
        for i in 0..<200 {
            let failed = i % 20 == 0
            telemetry.delivery(Delivery(messageId: "<\(i)@bench>", attemptedAt: now.addingTimeInterval(Double(-i * 60)),
                                        duration: 0.7, recipients: ["ops@example.com"], outcome: failed ? .deferred : .sent,
                                        reason: failed ? "throttled" : nil))
        }
        telemetry.outbox(OutboxState(depth: 3, oldestQueuedAt: now.addingTimeInterval(-300)))
    }
}
