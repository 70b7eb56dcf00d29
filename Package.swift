// swift-tools-version:6.2
import Foundation
import PackageDescription

/// The git commit being built (`make` sets SECRETWATCH_REVISION from `git rev-parse`), for secretwatch_build_info;
/// only hexadecimal digits pass, anything else builds as "unknown".
let revision = ProcessInfo.processInfo.environment["SECRETWATCH_REVISION"].flatMap { value in
    !value.isEmpty && value.count <= 40 && value.allSatisfy(\.isHexDigit) ? value : nil
}

let package = Package(
    name: "secretwatch",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "secretwatch", targets: ["secretwatch"]),
        .library(name: "SecretWatchCore", targets: ["SecretWatchCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // C libraries, each behind a module map and a shim of typed static-inline wrappers.
        .systemLibrary(name: "CSecretWatchSQLite", path: "Sources/CSecretWatchSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CSecretWatchCurl", path: "Sources/CSecretWatchCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CSecretWatchMicroHTTPD", path: "Sources/CSecretWatchMicroHTTPD", pkgConfig: "libmicrohttpd",
                       providers: [.apt(["libmicrohttpd-dev"])]),
        .systemLibrary(name: "CSecretWatchOpenSSL", path: "Sources/CSecretWatchOpenSSL", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSecretWatchZlib", path: "Sources/CSecretWatchZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CSecretWatchYAML", path: "Sources/CSecretWatchYAML", pkgConfig: "yaml-0.1",
                       providers: [.apt(["libyaml-dev"])]),
        // SQLite behind one connection class: statements, values, result codes; nothing about the domain.
        .target(name: "SecretWatchSQLite", dependencies: ["CSecretWatchSQLite"], path: "Sources/SQLite"),
        // libcurl easy handles: typed options, transfers and their results. What must stay secret in the
        // protocol trace is the caller's to say (`CurlSecretHandling`).
        .target(name: "SecretWatchCurl", dependencies: ["CSecretWatchCurl"], path: "Sources/Curl"),
        // The libmicrohttpd server: requests, responses and response bodies, limits, request deadlines.
        .target(
            name: "SecretWatchHTTPServer",
            dependencies: ["CSecretWatchMicroHTTPD", .product(name: "Logging", package: "swift-log")],
            path: "Sources/HTTPServer"
        ),
        // Prometheus text exposition written straight into gzip segments that scrapes send as they are.
        .target(name: "SecretWatchExposition", dependencies: ["CSecretWatchZlib"], path: "Sources/Exposition"),
        // libcrypto: X.509 certificates, RSA private keys, RS256/PS256 signatures; nothing about the domain.
        .target(name: "SecretWatchCrypto", dependencies: ["CSecretWatchOpenSSL"], path: "Sources/Crypto"),
        // libyaml's event parser read into a compact document tree (scalars with their style and position, mappings
        // with every pair in order, sequences); anchors, aliases, tags and a second document are refused.
        .target(name: "SecretWatchYAML", dependencies: ["CSecretWatchYAML"], path: "Sources/YAML"),
        .target(
            name: "SecretWatchCore",
            dependencies: [
                "SecretWatchSQLite", "SecretWatchCurl", "SecretWatchHTTPServer", "SecretWatchExposition",
                "SecretWatchCrypto", "SecretWatchYAML", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Settings applied before main (malloc arena cap, no core dumps) for the daemon.
        .target(name: "CSecretWatchProcessSetup", path: "Sources/CSecretWatchProcessSetup",
                cSettings: revision.map { [.define("SECRETWATCH_REVISION", to: "\"\($0)\"")] } ?? []),
        .executableTarget(
            name: "secretwatch",
            dependencies: [
                "SecretWatchCore", "CSecretWatchProcessSetup",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Test and demo stand-ins (Entra token endpoint, later Exchange SMTP) with a throwaway PKI over OpenSSL.
        // Never a dependency of the `secretwatch` executable.
        .target(name: "CSecretWatchStandInTLS", path: "Sources/CSecretWatchStandInTLS",
                linkerSettings: [.linkedLibrary("ssl"), .linkedLibrary("crypto")]),
        .target(name: "SecretWatchStandIns", dependencies: ["CSecretWatchStandInTLS", "SecretWatchCrypto"]),
        // Test fixtures shared by the tests and the benchmarks (ManualClock, a scripted token provider, an in-memory
        // log sink). Never a dependency of the `secretwatch` executable.
        .target(name: "SecretWatchTesting", dependencies: ["SecretWatchCore"], path: "Sources/SecretWatchTesting"),
        // Drives the outbox against a local SMTP server: scripts/bench-mail.sh and the kill -9 test.
        .executableTarget(
            name: "mail-bench",
            dependencies: ["SecretWatchCore", "SecretWatchCurl", "SecretWatchTesting"]
        ),
        // `secretwatch-standins`: both stand-ins in one process for the demo, end-to-end tests and benchmarks.
        .executableTarget(
            name: "secretwatch-standins",
            dependencies: ["SecretWatchStandIns", "SecretWatchCrypto", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // `make bench-metrics` only: the daemon with simulated token and mail telemetry.
        .executableTarget(
            name: "secretwatch-bench",
            dependencies: ["SecretWatchCore", .product(name: "Logging", package: "swift-log")],
            path: "Sources/secretwatch-bench"
        ),
        // `make bench-crypto`: time of RS256/PS256 signatures with a 2048-bit key.
        .executableTarget(name: "crypto-bench", dependencies: ["SecretWatchCrypto"], path: "Sources/crypto-bench"),
        .testTarget(
            name: "SecretWatchCoreTests",
            dependencies: ["SecretWatchCore", "SecretWatchSQLite", "SecretWatchCurl", "SecretWatchHTTPServer",
                           "SecretWatchExposition", "SecretWatchCrypto", "SecretWatchStandIns", "SecretWatchTesting",
                           "SecretWatchYAML"],
            // Fixtures sit next to the tests that use them and are read from the source tree.
            exclude: ["Config/Fixtures", "Daemon/Fixtures", "HTTP/Fixtures", "SMTP/Fixtures"],
            resources: [.copy("Fixtures")]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// A file sees only the members of the modules it imports itself (a Foundation import elsewhere in the target no
// longer hides what a file really uses). Tests keep seeing what their target's other files import.
for target in package.targets where target.type != .system && target.type != .test {
    target.swiftSettings = (target.swiftSettings ?? []) + [.enableUpcomingFeature("MemberImportVisibility")]
}
