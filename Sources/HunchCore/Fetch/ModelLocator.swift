import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Turns a command's model option into a file path: the user's own file when one
/// was given, otherwise the cached default model, downloaded the first time it is needed.
public struct ModelLocator: Sendable {
    public var fetcher: ModelFetcher

    public init(fetcher: ModelFetcher) {
        self.fetcher = fetcher
    }

    /// Creates a locator over the cache that the environment names (`HUNCH_MODELS` and so on).
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) throws(FetchError) {
        fetcher = ModelFetcher(cache: try ModelCache(environment: environment), environment: environment)
    }

    /// Returns `path` unchanged when given (after checking it is a regular file), else the
    /// path of the cached model `id`, fetching it first when `fetchIfMissing` allows.
    public func resolve(
        path: String?, default id: String, fetchIfMissing: Bool = true,
        progress: (FetchEvent) -> Void = { _ in }
    ) throws(FetchError) -> String {
        if let path {
            try Self.checkUserFile(path)
            return path
        }
        let entry = try ModelCatalog.requireEntry(id: id)
        let cache = fetcher.cache
        if cache.isCached(entry) {
            return cache.path(for: entry)
        }
        guard fetchIfMissing else { throw .notCached(id: id, path: cache.path(for: entry)) }
        return try fetcher.fetch(entry, progress: progress)
    }

    /// `resolve` over the cache named by the process environment.
    public static func resolve(
        path: String?, default id: String, fetchIfMissing: Bool = true,
        progress: (FetchEvent) -> Void = { _ in }
    ) throws(FetchError) -> String {
        if let path {
            try checkUserFile(path)
            return path
        }
        return try ModelLocator().resolve(path: nil, default: id, fetchIfMissing: fetchIfMissing, progress: progress)
    }

    static func checkUserFile(_ path: String) throws(FetchError) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { throw .modelFileNotFound(path: path) }
            throw .readFailed(path: path, reason: String(cString: strerror(code)))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw .modelPathNotAFile(path: path) }
    }
}
