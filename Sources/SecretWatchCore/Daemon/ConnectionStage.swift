import Foundation

/// One stage of `secretwatch check --connect`: the token request first, then (mailer) SMTP connect, EHLO,
/// STARTTLS, AUTH, QUIT. A stage returns a one-line summary of what it found (never a secret or a token) or
/// throws an `OperatorErrorConvertible` failure; later stages read what earlier ones left in the context.
public protocol ConnectionStage: Sendable {
    /// Short name printed in the first column (`token`, `connect`, `ehlo`, …).
    var name: String { get }
    func run(_ context: ConnectionTestContext) async throws -> String
}
