import ArgumentParser
import Foundation
import SecretWatchCore

extension CheckCommand {
    /// `check --connect`: a token request, then connect, EHLO, STARTTLS, AUTH XOAUTH2, QUIT — no mail — each
    /// stage with its timing; exit 1 at the first failure with its reason and fix.
    func runConnectionTest(_ config: Config) async throws {
        print("connection test:")
        let tokens = TokenProviders.make(config)
        let started = ContinuousClock.now
        var results: [ConnectionStageResult]
        do {
            let token = try await tokens.token(for: config.smtp.auth.name)
            let d = ContinuousClock.now - started
            results = [ConnectionStageResult(stage: "token", duration: Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18,
                                             summary: "token lifetime \(Int(token.lifetime)) s")]
            results += await SMTPConnectionTest(config: config.smtp, tokens: tokens).run()
        } catch {
            let failure = (error as? OperatorError) ?? OperatorError(reason: "token_unavailable", message: "\(error)", fix: "see the token history", transient: true)
            results = [ConnectionStageResult(stage: "token", duration: 0, summary: "", failure: failure)]
        }
        for result in results {
            print(Redactor.scrub(result.render()))
            if let detail = result.failure?.detail { print(String(repeating: " ", count: 30) + "detail: " + Redactor.scrub(detail)) }
        }
        if let failed = results.first(where: { !$0.ok }) {
            printError("connection test failed at stage \(failed.stage): \(failed.failure?.reason ?? "unknown")")
            throw ExitCode(ExitStatus.failed)
        }
        print("connection test passed (no mail sent)")
    }
}
