import Foundation
import Testing
@testable import SecretWatchCore

@Suite("Scaled clock for demos and end-to-end tests")
struct ScaledClockTests {
    @Test("starts at the given time and moves speed times faster; a sleep ends at or after its deadline")
    func scaled() async throws {
        let start = Date.utc("2027-01-01T00:00:00Z")
        let clock = ScaledClock(speed: 3600, start: start)
        #expect(clock.now() >= start)
        #expect(clock.now() < start.addingTimeInterval(3600))
        let deadline = clock.now().addingTimeInterval(36) // 10 ms of real time
        try await clock.sleep(until: deadline)
        #expect(clock.now() >= deadline)
    }

    @Test("a cancelled sleep throws")
    func cancelled() async {
        let clock = ScaledClock(speed: 1)
        let task = Task { try await clock.sleep(for: 3600) }
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
    }
}
