import Foundation
@testable import SecretWatchCore

/// The webhook bodies in `Fixtures/relay/`, read from the source tree.
enum RelayFixtures {
    static let directory = repositoryRoot.appendingPathComponent("Tests/SecretWatchCoreTests/Fixtures/relay")

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    static func notification(_ name: String) throws -> RelayNotification {
        try RelayNotification.parse(bytes(name))
    }

    /// `2026-03-01T11:50:03Z` and the like, for expectations.
    static func date(_ text: String) -> Date {
        Timestamps.parse(text)!
    }
}
