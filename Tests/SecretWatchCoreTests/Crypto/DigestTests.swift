import Foundation
import Testing
import SecretWatchCrypto

@Suite("Digest")
struct DigestTests {
    /// FIPS 180-2 test vectors, as `sha256sum` prints them.
    @Test func sha256MatchesTheStandardVectors() {
        #expect(Digest.sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Digest.sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Digest.sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(Digest.sha256(Data("abc".utf8)).count == 32)
    }

    @Test func hexIsLowercaseWithoutSeparators() {
        #expect(Digest.hex([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
        #expect(Digest.hex([]) == "")
    }
}
