import Testing
@testable import SecretWatchCore

/// The display-name globs of the discovery filters: `*` any run of characters, `?` exactly one, everything
/// else itself, without regard to case, over the whole name.
@Suite struct NameGlobTests {
    @Test("literal text matches the whole name only, without regard to case")
    func literals() {
        #expect(NameGlob("ISE SMTP").matches("ise smtp"))
        #expect(!NameGlob("ISE SMTP").matches("ISE SMTP relay"))
        #expect(!NameGlob("ISE SMTP").matches("The ISE SMTP"))
        #expect(!NameGlob("abc").matches(""))
    }

    @Test("* matches any run of characters, the empty one included")
    func star() {
        let glob = NameGlob("ISE-*")
        #expect(glob.matches("ISE-"))
        #expect(glob.matches("ise-guest-portal"))
        #expect(!glob.matches("legacy ISE-portal"))
        #expect(NameGlob("*portal*").matches("ISE guest Portal (prod)"))
        #expect(NameGlob("*").matches(""))
        #expect(NameGlob("a*b*c").matches("a-x-b-y-c"))
        #expect(!NameGlob("a*b*c").matches("a-x-c-y-b"))
        #expect(NameGlob("*-prod").matches("mail-prod-prod"))
    }

    @Test("? matches exactly one character, a non-ASCII one too")
    func question() {
        #expect(NameGlob("app-??").matches("app-01"))
        #expect(!NameGlob("app-??").matches("app-1"))
        #expect(!NameGlob("app-??").matches("app-001"))
        #expect(NameGlob("caf?").matches("café"))
        #expect(NameGlob("?*").matches("x"))
        #expect(!NameGlob("?*").matches(""))
    }

    @Test("characters that are special elsewhere ([ ] . + \\) are themselves")
    func otherCharactersAreLiteral() {
        #expect(NameGlob("[prod] app.1+").matches("[PROD] app.1+"))
        #expect(!NameGlob("[prod] app.1+").matches("p app.1+"))
        #expect(!NameGlob("app.1").matches("app-1"))
        #expect(NameGlob(#"a\b"#).matches(#"A\B"#))
    }

    @Test("many stars against a long near-miss name end at once (no exponential backtracking)")
    func pathologicalPattern() {
        let name = String(repeating: "a", count: 5000)
        #expect(!NameGlob(String(repeating: "*a", count: 60) + "b").matches(name))
        #expect(NameGlob(String(repeating: "*a", count: 60)).matches(name))
    }
}
