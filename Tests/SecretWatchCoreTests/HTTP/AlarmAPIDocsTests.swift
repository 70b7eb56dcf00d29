import Foundation
import Testing
@testable import SecretWatchCore

/// docs/api.md names every value `GET /api/v1/alarms?kind=` accepts: each alarm kind, and nothing that is not one.
@Suite struct AlarmAPIDocsTests {
    @Test func theKindFilterRowListsEveryAlarmKindAndNoOther() throws {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/api.md"), encoding: .utf8)
        let row = try #require(text.split(separator: "\n").first { $0.hasPrefix("| `kind` |") }, "docs/api.md has no kind row")
        let listed = row.split(separator: "`").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }.dropFirst()
        for kind in AlarmKind.allCases {
            #expect(listed.contains(kind.rawValue), "docs/api.md's kind filter does not list \(kind.rawValue)")
        }
        for value in listed {
            #expect(AlarmKind(rawValue: value) != nil, "docs/api.md's kind filter lists \(value), which is no alarm kind")
        }
    }
}
