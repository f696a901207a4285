#if canImport(Glibc)
import Glibc
#endif

/// Writes a download to its partial file, turning a full disk into `FetchError.diskFull`.
final class ModelFileWriter {
    let path: String
    /// Directory reported in a disk-full error, whose free space is measured.
    let directory: String
    /// Size the finished file will have, in bytes, to say how much more space is needed.
    let expectedSize: UInt64
    private(set) var bytesWritten: UInt64 = 0
    private var fd: Int32

    /// Creates `path`, or truncates it when a killed download left it behind.
    init(path: String, directory: String, expectedSize: UInt64) throws(FetchError) {
        self.path = path
        self.directory = directory
        self.expectedSize = expectedSize
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .writeFailed(path: path, reason: String(cString: strerror(errno))) }
    }

    deinit {
        if fd >= 0 { Glibc.close(fd) }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws(FetchError) {
        guard var next = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let count = Glibc.write(fd, next, remaining)
            if count < 0 {
                let code = errno
                if code == EINTR { continue }
                throw error(for: code)
            }
            next += count
            remaining -= count
            bytesWritten += UInt64(count)
        }
    }

    /// Flushes the data to the disk and closes the file, so a later rename cannot expose unwritten blocks.
    func finish() throws(FetchError) {
        guard fsync(fd) == 0 else { throw error(for: errno) }
        let status = Glibc.close(fd)
        fd = -1
        guard status == 0 else { throw error(for: errno) }
    }

    private func error(for code: Int32) -> FetchError {
        guard code == ENOSPC || code == EDQUOT else {
            return .writeFailed(path: path, reason: String(cString: strerror(code)))
        }
        let needed = expectedSize > bytesWritten ? expectedSize - bytesWritten : 0
        return .diskFull(directory: directory, needed: needed, available: Self.availableBytes(in: directory) ?? 0)
    }

    /// Bytes free to an unprivileged user on the file system of `directory`, or nil when unknown.
    static func availableBytes(in directory: String) -> UInt64? {
        var info = statvfs()
        guard statvfs(directory, &info) == 0 else { return nil }
        return UInt64(info.f_bavail) * UInt64(info.f_frsize)
    }

    /// Makes a rename inside `directory` durable, so a crash after it cannot bring back the old name.
    static func syncDirectory(_ directory: String) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        Glibc.close(fd)
    }
}

// MARK: - Lock

/// An exclusive `flock` on a file, held until `release` or deinit.
final class FileLock {
    private var fd: Int32

    /// Opens (creating if needed) `path` and takes the lock without waiting; returns nil when another process holds it.
    static func tryLock(path: String) throws(FetchError) -> FileLock? {
        let lock = try FileLock(path: path)
        if flock(lock.fd, LOCK_EX | LOCK_NB) == 0 { return lock }
        let code = errno
        guard code == EWOULDBLOCK else { throw .writeFailed(path: path, reason: String(cString: strerror(code))) }
        return nil
    }

    /// Opens (creating if needed) `path` and waits until the lock is free.
    static func lock(path: String) throws(FetchError) -> FileLock {
        let lock = try FileLock(path: path)
        while flock(lock.fd, LOCK_EX) != 0 {
            let code = errno
            guard code == EINTR else { throw .writeFailed(path: path, reason: String(cString: strerror(code))) }
        }
        return lock
    }

    private init(path: String) throws(FetchError) {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .writeFailed(path: path, reason: String(cString: strerror(errno))) }
    }

    deinit { release() }

    func release() {
        guard fd >= 0 else { return }
        Glibc.close(fd)
        fd = -1
    }
}
