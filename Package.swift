// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Switchboard",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "JSONValue", targets: ["JSONValue"]),
    ],
    dependencies: [],
    targets: [
        .target(name: "JSONValue"),
        .testTarget(name: "JSONValueTests", dependencies: ["JSONValue"]),
    ]
)
