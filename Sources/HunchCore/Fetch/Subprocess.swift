import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs the external tools a fetch needs: Python, pip and Python's zipfile module.
///
/// Standard error (and pip's standard output) goes to a log file rather than a
/// pipe, so a chatty tool cannot fill a pipe that hunch does not read.
enum Subprocess {
    /// Returns the full path of `name`: `name` itself when it contains a slash, otherwise
    /// the first executable match in the colon-separated `searchPath`.
    static func locate(_ name: String, searchPath: String) -> String? {
        if name.contains("/") {
            return access(name, X_OK) == 0 ? name : nil
        }
        for directory in searchPath.split(separator: ":", omittingEmptySubsequences: true) {
            let candidate = "\(directory)/\(name)"
            var info = stat()
            if stat(candidate, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        return nil
    }

    /// Runs `executable` to completion with standard output and error appended to
    /// `logPath`, and returns its exit status.
    static func run(_ executable: String, _ arguments: [String], logPath: String) throws(FetchError) -> Int32 {
        let log = try openLog(logPath)
        defer { try? log.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        do {
            try process.run()
        } catch {
            throw .launchFailed(executable: executable, reason: "\(error.localizedDescription)")
        }
        process.waitUntilExit()
        return exitStatus(of: process)
    }

    /// Runs `executable`, hands its standard output to `consume` in chunks of up to
    /// 1 MiB as it arrives, and returns its exit status. Standard error goes to `logPath`.
    ///
    /// When `consume` throws, the child is terminated and reaped before the error propagates.
    static func stream(
        _ executable: String, _ arguments: [String], logPath: String,
        consume: (UnsafeRawBufferPointer) throws(FetchError) -> Void
    ) throws(FetchError) -> Int32 {
        let log = try openLog(logPath)
        defer { try? log.close() }
        let output = Pipe()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = log
        do {
            try process.run()
        } catch {
            throw .launchFailed(executable: executable, reason: "\(error.localizedDescription)")
        }
        // The parent must not keep the write end open, or the read below never reaches end of file.
        try? output.fileHandleForWriting.close()
        let reader = output.fileHandleForReading.fileDescriptor

        let chunkSize = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunkSize, alignment: 64)
        defer { buffer.deallocate() }
        do throws(FetchError) {
            while true {
                let count = read(reader, buffer, chunkSize)
                if count < 0 {
                    if errno == EINTR { continue }
                    throw .readFailed(path: "output of \(executable)", reason: String(cString: strerror(errno)))
                }
                if count == 0 { break }
                try consume(UnsafeRawBufferPointer(start: buffer, count: count))
            }
        } catch {
            process.terminate()
            try? output.fileHandleForReading.close()
            process.waitUntilExit()
            throw error
        }
        try? output.fileHandleForReading.close()
        process.waitUntilExit()
        return exitStatus(of: process)
    }

    /// Returns the last `count` non-empty lines of a log file, or none when it cannot be read.
    static func lastLines(of path: String, count: Int = 8) -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        let lines = String(decoding: data, as: UTF8.self)
            .split(whereSeparator: \.isNewline)
            .map(String.init)
            .filter { !$0.allSatisfy(\.isWhitespace) }
        return Array(lines.suffix(count))
    }

    // MARK: - Helpers

    private static func openLog(_ path: String) throws(FetchError) -> FileHandle {
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let handle = FileHandle(forWritingAtPath: path)
        else {
            throw .writeFailed(path: path, reason: String(cString: strerror(errno)))
        }
        return handle
    }

    /// Returns the exit status, or 128 + the signal number for a child killed by a signal (as shells report it).
    private static func exitStatus(of process: Process) -> Int32 {
        process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }
}
