/// A classified failure, as every token and send error path reports it: a stable snake_case `reason`
/// (usable as a metric label, listed in docs/troubleshooting.md), a sentence saying what went wrong, and the
/// fix. Never carries a secret: `message` and `detail` go through the `Redactor`.
public struct OperatorError: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String
    public let message: String
    public let fix: String
    /// Raw evidence (server reply, curl error text), kept for the history.
    public let detail: String?
    /// Whether retrying later can succeed without anybody changing anything.
    public let transient: Bool

    public init(reason: String, message: String, fix: String, detail: String? = nil, transient: Bool) {
        self.reason = reason
        self.message = Redactor.scrub(message)
        self.fix = fix
        self.detail = detail.map(Redactor.scrub)
        self.transient = transient
    }

    public var description: String { "\(reason): \(message) — \(fix)" }
}
