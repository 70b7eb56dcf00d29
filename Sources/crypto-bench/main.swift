import Foundation
import SecretWatchCrypto

// `make bench-crypto`: how long one client-assertion signature takes. Signs a JWT-sized input 1,000 times
// per algorithm with the given RSA key (after a warm-up) and prints the median and tail of the single
// signatures, then the same for verification. Not shipped; benchmark only.

let arguments = CommandLine.arguments
guard arguments.count >= 3, let count = arguments.count > 3 ? Int(arguments[3]) : 1000, count > 0 else {
    FileHandle.standardError.write(Data("usage: crypto-bench KEY.pem CERT.pem [COUNT]\n".utf8))
    exit(2)
}

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
}

func summary(_ label: String, _ samples: [Double]) -> String {
    let sorted = samples.sorted()
    func at(_ q: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))] }
    let mean = sorted.reduce(0, +) / Double(sorted.count)
    return String(format: "| %@ | %d | %.3f | %.3f | %.3f | %.3f |", label, sorted.count, at(0.5), at(0.9), at(0.99), mean)
}

do {
    let key = try PrivateKey(pemFile: arguments[1])
    let certificate = try X509Certificate(pemFile: arguments[2])
    try key.checkMatches(certificate)
    // A signing input the size of a real client assertion's header and claims.
    let input = Data(String(repeating: "eyJhbGciOiJQUzI1NiIsInR5cCI6IkpXVCJ9", count: 18).utf8)
    let clock = ContinuousClock()
    print("\(key), \(count) operations each, per-operation times in ms")
    print("| operation | n | median | p90 | p99 | mean |")
    print("| --- | --- | --- | --- | --- | --- |")
    for algorithm in [SignatureAlgorithm.ps256, .rs256] {
        for _ in 0..<20 { _ = try key.sign(input, algorithm: algorithm) }
        var signing: [Double] = [], verifying: [Double] = []
        signing.reserveCapacity(count)
        var signature: [UInt8] = []
        for _ in 0..<count {
            let start = clock.now
            signature = try key.sign(input, algorithm: algorithm)
            signing.append(milliseconds(clock.now - start))
        }
        for _ in 0..<count {
            let start = clock.now
            let valid = try RSASignature.verify(signature: signature, data: input, algorithm: algorithm, certificate: certificate)
            verifying.append(milliseconds(clock.now - start))
            precondition(valid, "a fresh signature must verify")
        }
        print(summary("\(algorithm) sign", signing))
        print(summary("\(algorithm) verify", verifying))
    }
} catch {
    FileHandle.standardError.write(Data("crypto-bench: \(error)\n".utf8))
    exit(1)
}
