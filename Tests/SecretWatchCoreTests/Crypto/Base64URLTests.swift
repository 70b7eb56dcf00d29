import Foundation
import Testing
import SecretWatchCrypto

@Suite("Base64URL")
struct Base64URLTests {
    @Test func encodesWithoutPaddingAndWithTheURLAlphabet() {
        #expect(Base64URL.encode(Data([0xfb, 0xff, 0xbf])) == "-_-_")
        #expect(Base64URL.encode(Data([0xff])) == "_w")
        #expect(Base64URL.encode("{\"alg\":\"PS256\"}") == "eyJhbGciOiJQUzI1NiJ9")
        #expect(Base64URL.encode(Data()) == "")
    }

    @Test func decodesWhatItEncodesAndRefusesTheRest() {
        for length in 0..<40 {
            let bytes = Data((0..<length).map { UInt8(($0 * 37 + 11) % 256) })
            #expect(Base64URL.decode(Base64URL.encode(bytes)) == bytes)
        }
        for bad in ["a", "ab=", "a+b/", "ab cd", "é"] { #expect(Base64URL.decode(bad) == nil, "\(bad)") }
    }
}
