import Foundation
import Testing
@testable import SecretWatchCore

/// One page of Graph's answer parsed on its own: an app's `tags` (absent or null: none), and each malformed
/// `tags` refused with its path.
@Suite("Graph page: tags")
struct GraphPageTests {
    static func page(_ app: String) -> Data {
        Data(#"{"value":[{"id":"obj-1","appId":"app-1","displayName":"Mail relay"\#(app)}]}"#.utf8)
    }

    @Test func tagsAreRead() throws {
        let page = try GraphPage.parse(Self.page(#","tags":["managed-by-msp","HideApp"]"#))
        #expect(page.applications.first?.tags == ["managed-by-msp", "HideApp"])
    }

    @Test(arguments: ["", #","tags":null"#, #","tags":[]"#])
    func absentOrNullTagsAreNone(tags: String) throws {
        #expect(try GraphPage.parse(Self.page(tags)).applications.first?.tags == [])
    }

    @Test(arguments: [(#","tags":"managed""#, "value[0].tags is not a list"),
                      (#","tags":["a",7]"#, "value[0].tags[1] is not a string"),
                      (#","tags":[null]"#, "value[0].tags[0] is not a string")])
    func malformedTagsAreRefusedByPath(tags: String, problem: String) {
        #expect(throws: GraphPage.Problem.self) { try GraphPage.parse(Self.page(tags)) }
        do {
            _ = try GraphPage.parse(Self.page(tags))
        } catch {
            #expect(error.description == problem)
        }
    }
}
