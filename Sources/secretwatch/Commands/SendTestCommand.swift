import ArgumentParser
import Foundation
import Logging
import SecretWatchCore

struct SendTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send-test",
        abstract: "Queue one test e-mail and deliver it now through the configured OAuth SMTP path.",
        discussion: """
            The mail goes through the outbox like every alarm e-mail (so it is retried by a running daemon if this
            attempt fails transiently). Prints the outcome, the classified reason and the server's reply.
            Exit 0 when the server accepted it, 1 when not, 2 on a usage or configuration error.
            """)

    @OptionGroup var options: ConfigOptions

    @Option(help: "Recipient address (repeat for several).")
    var to: [String] = []

    @Option(help: "Subject of the test mail.")
    var subject = "secretwatch test mail"

    func validate() throws {
        guard !to.isEmpty else { throw ValidationError("--to is required (the address to send the test mail to)") }
        for address in to where MIMEEncoding.address(address) == nil {
            throw ValidationError("--to \"\(address)\" is not a plain name@domain address")
        }
    }

    func run() async throws {
        let config = try options.loadAndBootstrapLogging()
        let daemon = try orExit { try Daemon(config: config) }
        let now = Date()
        let body = """
            This is a test e-mail from secretwatch \(SecretWatchVersion.string).

            It was sent as \(config.smtp.auth.mailbox) through \(config.smtp.host):\(config.smtp.port) (\(config.smtp.tls.rawValue)),
            authenticated with OAuth 2.0 (SASL XOAUTH2), at \(Timestamps.rfc3339(now)).
            If you can read it, secretwatch can deliver its alarm e-mails.
            """
        let message = MailMessage(from: config.notifications.from, to: to, subject: subject, body: body + "\n", date: now)
        let id = try daemon.store.enqueue(message, kind: .test, at: now)
        print("queued test mail \(message.messageId) to \(to.joined(separator: ", "))")
        guard let delivery = try await daemon.delivery?.deliverNow(outboxId: id) else {
            print("a running secretwatch daemon is delivering it; see `secretwatch` deliveries history")
            return
        }
        print("outcome: \(delivery.outcome.rawValue)" + (delivery.reason.map { " (\($0))" } ?? ""))
        if let code = delivery.smtpCode { print("smtp: \(code)" + (delivery.enhancedCode.map { " \($0)" } ?? "")) }
        if let reply = delivery.reply { print("reply: \(VisibleText.escaped(Redactor.scrub(reply)))") }
        if let reason = delivery.reason, let known = SMTPFailureReason.named(reason), delivery.outcome != .sent {
            print("what it means: \(known.message)")
            print("fix: \(known.fix)")
        }
        if delivery.outcome != .sent && delivery.outcome != .partial {
            if delivery.outcome == .deferred { print("the mail stays queued; a running daemon retries it") }
            throw ExitCode(ExitStatus.failed)
        }
    }
}
