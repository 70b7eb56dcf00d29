import Foundation
internal import SecretWatchExposition

/// The scheduler's gauges. They change with every pass, so they live in the small live part of `/metrics`
/// (`LiveMetrics`): a pass then costs no re-render of the state part, which with 100,000 credentials is a
/// 38 MB text and its gzip.
struct SchedulerGauges: Sendable {
    var lastRun: Date?
    var lastDuration: TimeInterval?
    /// Step name → failed in the last pass.
    var steps: [String: Bool] = [:]

    mutating func recordPass(startedAt: Date, duration: TimeInterval, failingSteps: [String]) {
        lastRun = startedAt
        lastDuration = duration
        for step in steps.keys { steps[step] = false }
        for step in failingSteps { steps[MetricsState.labelSafe(step)] = true }
    }

    func render(into w: inout ExpositionWriter) {
        let c = MetricCatalog.self
        w.family(c.schedulerLastRun)
        if let lastRun { w.sample(c.schedulerLastRun, [], lastRun.timeIntervalSince1970) }
        w.family(c.schedulerLastDuration)
        if let lastDuration { w.sample(c.schedulerLastDuration, [], lastDuration) }
        w.family(c.schedulerStepFailing)
        for (step, failing) in steps.sorted(by: { $0.key < $1.key }) {
            w.sample(c.schedulerStepFailing, [step], failing ? 1 : 0)
        }
    }
}
