// swift-tools-version:6.0
import PackageDescription

// hunch: a terminal chat for local language models with speculative decoding.
//
// Layout:
// - HunchCore: the engine (GGUF, quantisation and kernels, models, tokenizers,
//   sampling, speculative decoding). No UI code and no ncurses/readline.
// - CHunchKernels: the int8 SIMD kernels in C, chosen at run time from the
//   CPU's features, with a portable fallback.
// - HunchTUI: the terminal front end over ncursesw and readline.
// - HunchCLI: argument parsing and the subcommands; `hunch` only calls it.
let package = Package(
    name: "hunch",
    products: [
        .executable(name: "hunch", targets: ["hunch"]),
        .library(name: "HunchCore", targets: ["HunchCore"]),
    ],
    targets: [
        .systemLibrary(
            name: "CNcursesw",
            path: "Sources/CNcursesw",
            providers: [.apt(["libncursesw5-dev"])]
        ),
        .systemLibrary(
            name: "CReadline",
            path: "Sources/CReadline",
            providers: [.apt(["libreadline-dev"])]
        ),
        .target(
            name: "CHunchKernels",
            path: "Sources/CHunchKernels",
            cSettings: [.unsafeFlags(["-O3"])]
        ),
        .target(
            name: "HunchCore",
            dependencies: ["CHunchKernels"],
            path: "Sources/HunchCore"
        ),
        .target(
            name: "HunchTUI",
            dependencies: ["HunchCore", "CNcursesw", "CReadline"],
            path: "Sources/HunchTUI"
        ),
        .target(
            name: "HunchCLI",
            dependencies: ["HunchCore", "HunchTUI"],
            path: "Sources/HunchCLI"
        ),
        .executableTarget(
            name: "hunch",
            dependencies: ["HunchCLI"],
            path: "Sources/hunch"
        ),
        // Speed measurements live here, not in timed tests:
        // swift run -c release SamplingBenchmark
        .executableTarget(
            name: "SamplingBenchmark",
            dependencies: ["HunchCore"],
            path: "Benchmarks/SamplingBenchmark"
        ),
        // swift run -c release ModelLoadBenchmark [MODEL.gguf] [THREADS]
        .executableTarget(
            name: "ModelLoadBenchmark",
            dependencies: ["HunchCore"],
            path: "Benchmarks/ModelLoadBenchmark"
        ),
        .executableTarget(
            name: "ForwardPassBenchmark",
            dependencies: ["HunchCore", "CHunchKernels"],
            path: "Benchmarks/ForwardPassBenchmark"
        ),
        .testTarget(
            name: "HunchCoreTests",
            dependencies: ["HunchCore"],
            path: "Tests/HunchCoreTests",
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "HunchTUITests",
            dependencies: ["HunchTUI"],
            path: "Tests/HunchTUITests"
        ),
        .testTarget(
            name: "HunchCLITests",
            dependencies: ["HunchCLI", "HunchCore"],
            path: "Tests/HunchCLITests"
        ),
    ],
    swiftLanguageModes: [.v6]
)
