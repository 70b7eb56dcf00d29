import FoundationEssentials
import Glibc

/// A classified failure, as every token and send error path reports it: a stable snake_case `reason`
/// (usable as a metric label, listed in docs/troubleshooting.md), a sentence saying what went wrong, the fix,
/// whether waiting can mend it, and the raw evidence. Never carries a secret: `message` and `detail` go through
/// the `Redactor`. Built from a `FailureReason` (a row of a path's catalog) with `FailureReason.failure`.
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

/// One catalog of classified failures (`TokenFailureReason`, `SMTPFailureReason`): each case is a stable reason
/// with the signature it is recognised by, the message the operator reads, the fix, and whether it is transient.
/// docs/troubleshooting.md lists every case of every catalog (a test checks it).
///
/// Message and fix texts may hold `{name}` placeholders, filled from what the failed request knew.
public protocol FailureReason: RawRepresentable<String>, CaseIterable, Hashable, Sendable {
    /// What is recognised as this failure (curl code, HTTP answer, SMTP reply), for the documentation.
    var signature: String { get }
    var message: String { get }
    var fix: String { get }
    /// Whether waiting can fix it without anybody changing anything.
    var transient: Bool { get }
}

extension FailureReason {
    /// The failure as reported: placeholders filled from `values`, `detail` as evidence.
    public func failure(_ values: [String: String] = [:], detail: String?) -> OperatorError {
        OperatorError(reason: rawValue, message: FailureText.fill(message, values), fix: FailureText.fill(fix, values),
                      detail: detail, transient: transient)
    }

    /// The case whose reason is `text`, if this catalog has one.
    public static func named(_ text: String) -> Self? { Self(rawValue: text) }
}

enum FailureText {
    /// Fills `{name}` placeholders; one without a value reads "unknown" rather than leaking braces.
    static func fill(_ template: String, _ values: [String: String]) -> String {
        guard template.contains("{") else { return template }
        var out = template
        for (key, value) in values { out = out.replacingEvery("{\(key)}", with: value) }
        while let open = out.literalRange(of: "{"), let close = out.literalRange(of: "}", from: open.upperBound),
              !out[open.upperBound..<close.lowerBound].contains(" ") {
            out.replaceSubrange(open.lowerBound..<close.upperBound, with: "unknown")
        }
        return out
    }
}

/// A failure that can say what the operator reads (`TokenFailure`, the mailer's failures). `ConnectionTest`
/// shows any such error as its stage's reason, message and fix.
public protocol OperatorErrorConvertible: Error {
    var operatorError: OperatorError { get }
}

extension OperatorError: OperatorErrorConvertible {
    public var operatorError: OperatorError { self }
}

/// How long to wait before trying again after failures — the one backoff of secretwatch, used by the outbox
/// (`mailer.retry_initial`, `mailer.retry_max`) and the token cache (30 s doubling to 10 min): exponential from
/// `initial`, capped at `maximum`, with "equal jitter" (half fixed, half random) so that workers and instances
/// do not retry in lock-step.
public struct RetryPolicy: Sendable {
    public var initial: TimeInterval
    public var maximum: TimeInterval
    /// A number in 0…1 for each delay; injected so that tests can pin it.
    public var jitter: @Sendable () -> Double

    public init(initial: TimeInterval, maximum: TimeInterval,
                jitter: @escaping @Sendable () -> Double = { Double.random(in: 0...1) }) {
        self.initial = initial
        self.maximum = maximum
        self.jitter = jitter
    }

    /// Delay after `failures` consecutive failures (1 = the first): min(maximum, initial·2^(failures−1)), scaled
    /// into [½, 1] of that by `jitter` (the policy's own when nil).
    public func delay(afterFailures failures: Int, jitter: Double? = nil) -> TimeInterval {
        let exponent = Double(max(0, min(failures - 1, 30)))
        let base = min(maximum, initial * pow(2, exponent))
        return base / 2 + base / 2 * min(1, max(0, jitter ?? self.jitter()))
    }
}
