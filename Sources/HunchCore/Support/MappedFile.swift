#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only, private memory map of a whole file.
///
/// Pages are loaded on first touch, so opening a multi-gigabyte model is cheap
/// until its tensors are read. The mapping lives as long as this object.
public final class MappedFile: @unchecked Sendable {
    public let path: String
    /// Start of the mapping; nil only for an empty file.
    public let base: UnsafeRawPointer?
    /// File size in bytes.
    public let size: Int

    public init(path: String) throws(GGUFError) {
        self.path = path

        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            if code == ENOENT { throw .fileNotFound(path: path) }
            throw .cannotOpen(path: path, reason: String(cString: strerror(code)))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw .notARegularFile(path: path) }

        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw .cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }

        size = Int(info.st_size)
        if size == 0 {
            base = nil
            return
        }
        let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let mapped, mapped != MAP_FAILED else {
            throw .cannotOpen(path: path, reason: "mmap failed: \(String(cString: strerror(errno)))")
        }
        base = UnsafeRawPointer(mapped)
    }

    /// Copies `bytes` into a private anonymous mapping, so that files built in
    /// memory (by tests and the fuzzer) go through the same reader as files on disk.
    /// `path` only names the bytes in error messages.
    public init(bytes: [UInt8], path: String) throws(GGUFError) {
        self.path = path
        let count = bytes.count
        size = count
        if count == 0 {
            base = nil
            return
        }
        let mapped = mmap(nil, count, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let mapped, mapped != MAP_FAILED else {
            throw .cannotOpen(path: path, reason: "mmap failed: \(String(cString: strerror(errno)))")
        }
        bytes.withUnsafeBytes { source in
            UnsafeMutableRawPointer(mapped).copyMemory(from: source.baseAddress!, byteCount: count)
        }
        base = UnsafeRawPointer(mapped)
    }

    deinit {
        if let base { munmap(UnsafeMutableRawPointer(mutating: base), size) }
    }

    /// The bytes of the whole file.
    public var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base, count: size)
    }

    /// Tells the kernel the given range will not be needed soon, so its pages
    /// leave this process's resident memory. Used after a tensor was converted.
    public func releasePages(offset: Int, count: Int) {
        guard let base, count > 0 else { return }
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (offset / pageSize) * pageSize
        let end = min(size, ((offset + count + pageSize - 1) / pageSize) * pageSize)
        guard end > start else { return }
        madvise(UnsafeMutableRawPointer(mutating: base + start), end - start, MADV_DONTNEED)
    }
}
