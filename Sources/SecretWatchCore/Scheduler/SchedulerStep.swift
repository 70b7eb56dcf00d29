import Foundation

/// One kind of periodic work. Every step shares this signature and is registered in one list
/// (`Scheduler.steps`): expiry evaluation now; token probing, outbox delivery and re-notification later.
public protocol SchedulerStep: Sendable {
    /// Short stable name, used in logs and metrics.
    var name: String { get }
    func run(now: Date) async throws
}

/// Expiry alarms for every watched credential.
public struct ExpiryStep: SchedulerStep {
    public let name = "expiry"
    public let evaluator: ExpiryEvaluator

    public init(evaluator: ExpiryEvaluator) {
        self.evaluator = evaluator
    }

    public func run(now: Date) async throws {
        try evaluator.evaluate(now: now)
    }
}
