import Foundation
import Testing
@testable import SecretWatchCore

/// docs/metrics.md and docs/alarms.md are part of the contract: every family the registry exports has a row,
/// every alarm kind has a row in the alarm catalog, and the active-alarms row lists every kind.
@Suite struct MetricCatalogDocsTests {
    static func doc(_ name: String) throws -> String {
        try String(contentsOf: repositoryRoot.appendingPathComponent("docs/\(name)"), encoding: .utf8)
    }

    @Test func everyFamilyHasARowInTheMetricsPage() throws {
        let rows = try Self.doc("metrics.md").split(separator: "\n").filter { $0.hasPrefix("| `") }
        for family in MetricCatalog.all {
            let row = rows.first { $0.hasPrefix("| `\(family.name)` |") }
            #expect(row != nil, "docs/metrics.md has no row for \(family.name)")
            guard let row else { continue }
            #expect(row.contains("| \(family.kind.rawValue) |"), "docs/metrics.md gives \(family.name) another type")
            for label in family.labels {
                #expect(row.contains("`\(label)`"), "docs/metrics.md does not name the label \(label) of \(family.name)")
            }
        }
    }

    @Test func everyAlarmKindHasARowInTheAlarmCatalog() throws {
        let rows = try Self.doc("alarms.md").split(separator: "\n").filter { $0.hasPrefix("| `") }
        for kind in AlarmKind.allCases {
            #expect(rows.contains { $0.hasPrefix("| `\(kind.rawValue)` |") }, "docs/alarms.md has no row for \(kind.rawValue)")
        }
    }

    @Test func theActiveAlarmsRowListsEveryAlarmKind() throws {
        let rows = try Self.doc("metrics.md").split(separator: "\n").filter { $0.hasPrefix("| `") }
        let row = try #require(rows.first { $0.hasPrefix("| `secretwatch_active_alarms` |") })
        for kind in AlarmKind.allCases {
            #expect(row.contains("`\(kind.rawValue)`"), "docs/metrics.md's secretwatch_active_alarms row does not list \(kind.rawValue)")
        }
    }
}
