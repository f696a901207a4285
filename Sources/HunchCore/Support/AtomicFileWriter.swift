#if canImport(Glibc)
import Glibc
#endif

/// Writes a file under a temporary name in its final directory and renames it
/// into place only when every byte is on disk, so the final path never
/// contains a partial file. `discard()` (or deinit before `commit()`) removes the
/// temporary file. NOTE: a process killed while writing leaves the hidden
/// temporary file (`.NAME.partial-PID`) behind.
final class AtomicFileWriter {
    let path: String
    let directory: String
    let temporaryPath: String
    /// Size the finished file will have, to say how much is missing when the disk fills up.
    let expectedSize: Int
    private(set) var bytesWritten = 0
    private var fd: Int32
    private var committed = false

    /// Bytes collected before one `write` call: large tensors stream through it.
    private static let bufferCapacity = 4 << 20
    private var buffer: UnsafeMutableRawPointer
    private var buffered = 0

    init(path: String, expectedSize: Int) throws(QuantizeError) {
        self.path = path
        self.expectedSize = expectedSize
        let slash = path.lastIndex(of: "/")
        directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        temporaryPath = (directory == "/" ? "" : directory) + "/.\(name).partial-\(getpid())"

        var info = stat()
        if stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            throw .outputIsDirectory(path: path)
        }
        fd = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .cannotCreate(directory: directory, reason: String(cString: strerror(errno))) }
        buffer = .allocate(byteCount: Self.bufferCapacity, alignment: 64)
    }

    deinit {
        if !committed { discard() }
        buffer.deallocate()
    }

    // MARK: - Writing

    func write(_ bytes: UnsafeRawBufferPointer) throws(QuantizeError) {
        guard var next = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            if buffered == Self.bufferCapacity { try flush() }
            let count = min(remaining, Self.bufferCapacity - buffered)
            (buffer + buffered).copyMemory(from: next, byteCount: count)
            buffered += count
            next += count
            remaining -= count
        }
    }

    func write(_ bytes: [UInt8]) throws(QuantizeError) {
        // withUnsafeBytes only rethrows untyped errors, so the typed one is carried out.
        var failure: QuantizeError?
        bytes.withUnsafeBytes { raw in
            do throws(QuantizeError) { try write(raw) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    func writeZeros(_ count: Int) throws(QuantizeError) {
        try write([UInt8](repeating: 0, count: count))
    }

    /// Flushes, syncs and renames the file into place.
    func commit() throws(QuantizeError) {
        try flush()
        guard fsync(fd) == 0 else { throw failure(errno) }
        let status = close(fd)
        fd = -1
        guard status == 0 else { throw failure(errno) }
        guard rename(temporaryPath, path) == 0 else {
            let reason = String(cString: strerror(errno))
            discard()
            throw .renameFailed(from: temporaryPath, to: path, reason: reason)
        }
        committed = true
        // Make the rename durable, so a crash cannot bring back the old name.
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            fsync(directoryFD)
            close(directoryFD)
        }
    }

    /// Closes and removes the temporary file.
    func discard() {
        if fd >= 0 {
            close(fd)
            fd = -1
        }
        unlink(temporaryPath)
    }

    private func flush() throws(QuantizeError) {
        var offset = 0
        while offset < buffered {
            let count = Glibc.write(fd, buffer + offset, buffered - offset)
            if count < 0 {
                let code = errno
                if code == EINTR { continue }
                throw failure(code)
            }
            offset += count
            bytesWritten += count
        }
        buffered = 0
    }

    private func failure(_ code: Int32) -> QuantizeError {
        discard()
        guard code == ENOSPC || code == EDQUOT else {
            return .writeFailed(path: path, reason: String(cString: strerror(code)))
        }
        var info = statvfs()
        let available = statvfs(directory, &info) == 0 ? Int(info.f_bavail) * Int(info.f_frsize) : 0
        return .diskFull(directory: directory, needed: max(0, expectedSize - bytesWritten), available: available)
    }
}
