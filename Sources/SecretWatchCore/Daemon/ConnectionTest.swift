import Foundation

/// `secretwatch check --connect`, like ISE's "Test Connection": runs the stages in order, timing each, and stops
/// at the first failure (later stages need what it would have produced). `standard(config:)` lists the stages.
public struct ConnectionTest: Sendable {
    public typealias FollowUp = @Sendable (ConnectionTestContext) async -> [ConnectionStageResult]

    public var stages: [any ConnectionStage]
    /// Runs after every stage passed and reports several stages at once (the SMTP session: connect, EHLO,
    /// STARTTLS, AUTH, QUIT are timed from one libcurl transfer).
    public var followUp: FollowUp?

    public init(stages: [any ConnectionStage], followUp: FollowUp? = nil) {
        self.stages = stages
        self.followUp = followUp
    }

    /// Runs the stages; `report` sees each result as soon as it is known (the CLI prints it at once).
    public func run(report: @Sendable (ConnectionStageResult) -> Void = { _ in }) async -> [ConnectionStageResult] {
        let context = ConnectionTestContext()
        var results: [ConnectionStageResult] = []
        for stage in stages {
            let started = ContinuousClock.now
            let result: ConnectionStageResult
            do {
                let summary = try await stage.run(context)
                result = ConnectionStageResult(stage: stage.name, duration: Self.seconds(since: started), summary: Redactor.scrub(summary))
            } catch {
                result = ConnectionStageResult(stage: stage.name, duration: Self.seconds(since: started), summary: "",
                                               failure: Self.operatorError(error))
            }
            results.append(result)
            report(result)
            if !result.ok { return results }
        }
        if let followUp {
            for result in await followUp(context) {
                results.append(result)
                report(result)
            }
        }
        return results
    }

    static func operatorError(_ error: any Error) -> OperatorError {
        if let convertible = error as? any OperatorErrorConvertible { return convertible.operatorError }
        return OperatorError(reason: "internal_error", message: "\(error)", fix: "report this as a secretwatch bug", transient: false)
    }

    static func seconds(since start: ContinuousClock.Instant) -> TimeInterval {
        let elapsed = ContinuousClock.now - start
        return elapsed.timeInterval
    }
}
