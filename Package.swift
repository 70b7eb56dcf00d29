// swift-tools-version:6.2
import PackageDescription

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
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // C libraries, each behind a module map and a shim of typed static-inline wrappers.
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CMicroHTTPD", path: "Sources/CMicroHTTPD", pkgConfig: "libmicrohttpd",
                       providers: [.apt(["libmicrohttpd-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        .target(
            name: "SecretWatchCore",
            dependencies: [
                "CSQLite", "CCurl", "CMicroHTTPD", "CZlib",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "secretwatch",
            dependencies: [
                "SecretWatchCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // `make bench-metrics` only: the daemon with simulated token and mail telemetry.
        .executableTarget(
            name: "secretwatch-bench",
            dependencies: ["SecretWatchCore", .product(name: "Logging", package: "swift-log")],
            path: "Sources/secretwatch-bench"
        ),
        .testTarget(
            name: "SecretWatchCoreTests",
            dependencies: ["SecretWatchCore", .product(name: "Yams", package: "Yams")],
            resources: [.copy("Fixtures")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
