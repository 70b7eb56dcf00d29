import Foundation
import Testing
@testable import SecretWatchCore

@Suite("Visible escaping of control characters")
struct VisibleTextTests {
    @Test func controlCharactersAreEscapedVisibly() {
        #expect(VisibleText.escaped("a\u{1B}[31mb") == "a\\u{1B}[31mb")
        #expect(VisibleText.escaped("x\u{85}y\u{2028}z\u{2029}\u{7F}\u{202E}") == "x\\u{85}y\\u{2028}z\\u{2029}\\u{7F}\\u{202E}")
        #expect(VisibleText.escaped("Ünïcødé – fine") == "Ünïcødé – fine")
        #expect(ConfigProblem(path: "a\u{7}", message: "got \"\u{1B}\"").description == "a\\u{7}: got \"\\u{1B}\"")
    }
}
