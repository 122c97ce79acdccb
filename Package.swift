// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    // A nonisolated async function runs on its caller's executor. `switchboard` installs NIO's event loops as the
    // global executor, which runs every job as on the loop's serial executor, so a hop to the generic executor is a
    // trip through the loop's queue: 80 -> 63 per execute call, 6-10% less CPU per call (docs/benchmarks.md).
    .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
]

let package = Package(
    name: "Switchboard",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "switchboard", targets: ["switchboard"]),
        .executable(name: "switchboard-bench", targets: ["switchboard-bench"]),
        .library(name: "JSONValue", targets: ["JSONValue"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.26.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
    ],
    targets: [
        .target(name: "JSONValue", swiftSettings: strict),
        .target(name: "ECMARegex", swiftSettings: strict),
        .target(name: "JSONSchema", dependencies: ["JSONValue", "ECMARegex"], swiftSettings: strict),
        .target(name: "JSONata", dependencies: ["JSONValue", "ECMARegex"], swiftSettings: strict),
        .target(name: "SwitchboardResilience", dependencies: ["JSONValue"], swiftSettings: strict),
        .target(name: "SwitchboardConformance", dependencies: ["JSONValue", "JSONSchema", "JSONata"], swiftSettings: strict),
        .target(
            name: "SwitchboardCore",
            dependencies: ["JSONValue", .product(name: "Yams", package: "Yams"), .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .target(
            name: "SwitchboardTransform",
            dependencies: ["SwitchboardCore", "JSONValue", "JSONata", "ECMARegex"],
            swiftSettings: strict
        ),
        .target(
            name: "SwitchboardStore",
            dependencies: [
                "SwitchboardCore", "SwitchboardResilience", "JSONValue",
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                // ConnectionPoolError: what PostgresClient throws when it cannot open a connection (mapped to "unavailable").
                .product(name: "_ConnectionPoolModule", package: "postgres-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "SwitchboardAdapters",
            dependencies: [
                "SwitchboardCore", "SwitchboardStore", "JSONValue",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTPCompression", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "SwitchboardEngine",
            dependencies: [
                "SwitchboardCore", "SwitchboardAdapters", "SwitchboardResilience", "JSONValue", "JSONSchema", "JSONata",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "SwitchboardVault",
            dependencies: [
                "SwitchboardCore", "SwitchboardStore", "JSONValue",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "SwitchboardSync",
            dependencies: [
                "SwitchboardCore", "SwitchboardStore", "SwitchboardEngine", "JSONValue", "JSONata",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "SwitchboardServer",
            dependencies: [
                "SwitchboardCore", "SwitchboardStore", "SwitchboardEngine", "SwitchboardResilience", "SwitchboardVault", "SwitchboardSync",
                "SwitchboardTransform", "JSONValue",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "switchboard",
            dependencies: [
                "SwitchboardServer", "SwitchboardCore", "SwitchboardStore", "SwitchboardVault", "SwitchboardConformance", "SwitchboardTransform",
                "SwitchboardSync", "JSONValue",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "switchboard-bench",
            dependencies: [
                "JSONValue", "JSONSchema", "JSONata", "SwitchboardResilience", "SwitchboardCore", "SwitchboardStore", "SwitchboardEngine",
                "SwitchboardServer", "SwitchboardSync", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "SwitchboardTestSupport",
            dependencies: [
                "SwitchboardCore", "SwitchboardStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/SwitchboardTestSupport"
        ),
        .testTarget(name: "JSONValueTests", dependencies: ["JSONValue"]),
        .testTarget(name: "ECMARegexTests", dependencies: ["ECMARegex", "JSONValue"]),
        .testTarget(name: "JSONSchemaTests", dependencies: ["JSONSchema", "JSONValue"]),
        .testTarget(name: "JSONataTests", dependencies: ["JSONata", "JSONValue"]),
        .testTarget(name: "SwitchboardResilienceTests", dependencies: ["SwitchboardResilience", "JSONValue"]),
        .testTarget(name: "SwitchboardCoreTests", dependencies: ["SwitchboardCore"]),
        .testTarget(name: "SwitchboardTransformTests", dependencies: ["SwitchboardTransform", "JSONValue"]),
        .testTarget(
            name: "SwitchboardAdaptersTests",
            dependencies: ["SwitchboardAdapters", "SwitchboardTestSupport", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "SwitchboardStoreTests",
            dependencies: [
                "SwitchboardStore", "SwitchboardTestSupport", .product(name: "_ConnectionPoolModule", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        .testTarget(
            name: "SwitchboardVaultTests",
            dependencies: [
                "SwitchboardVault", "SwitchboardTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(
            name: "SwitchboardSyncTests",
            dependencies: [
                "SwitchboardSync", "SwitchboardServer", "SwitchboardTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "SwitchboardServerTests",
            dependencies: [
                "SwitchboardServer", "SwitchboardTestSupport", "SwitchboardEngine", "SwitchboardResilience", "JSONSchema",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ]
)
