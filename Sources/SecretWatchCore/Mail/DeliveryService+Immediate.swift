import Foundation

extension DeliveryService {
    /// Sends one queued message now, outside the workers (`secretwatch send-test`), and returns the recorded
    /// attempt; nil when the message is not queued any more (a running daemon claimed it first).
    public func deliverNow(outboxId: Int64) async throws -> Delivery? {
        guard let message = try store.claim(outboxId: outboxId, now: clock.now()) else { return nil }
        try await limiter.acquire()
        let settings = self.settings
        let sender = SMTPSender(transport: SMTPTransport(config: settings.smtp, extraOptions: transportOptions),
                                tokens: settings.tokens, credential: settings.smtp.auth.name)
        try await deliver(message, with: sender)
        return try store.lastDelivery(messageId: message.messageId)
    }
}
