#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a command writes: standard output for results, standard error for
/// progress and diagnostics. Tests substitute a `CapturedConsole`.
public protocol Console: AnyObject, Sendable {
    func write(_ text: String)
    func writeError(_ text: String)
    /// Whether standard output is a terminal (enables colours and progress bars).
    var outputIsTerminal: Bool { get }
    var errorIsTerminal: Bool { get }
}

/// The process's real standard output and error, written unbuffered so streamed text appears at once.
public final class StandardConsole: Console {
    public init() {}

    public func write(_ text: String) { Self.writeAll(fd: 1, text) }
    public func writeError(_ text: String) { Self.writeAll(fd: 2, text) }
    public var outputIsTerminal: Bool { isatty(1) == 1 }
    public var errorIsTerminal: Bool { isatty(2) == 1 }

    private static func writeAll(fd: Int32, _ text: String) {
        var text = text
        text.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return  // A closed pipe: nothing more can be shown.
                }
                offset += written
            }
        }
    }
}

/// A console that keeps what was written, for tests.
public final class CapturedConsole: Console, @unchecked Sendable {
    private let lock = Mutex()
    private var outputText = ""
    private var errorText = ""
    public let outputIsTerminal: Bool
    public let errorIsTerminal: Bool

    public init(outputIsTerminal: Bool = false, errorIsTerminal: Bool = false) {
        self.outputIsTerminal = outputIsTerminal
        self.errorIsTerminal = errorIsTerminal
    }

    public func write(_ text: String) { lock.withLock { outputText += text } }
    public func writeError(_ text: String) { lock.withLock { errorText += text } }
    public var output: String { lock.withLock { outputText } }
    public var error: String { lock.withLock { errorText } }
}

/// A pthread mutex, for the few places that guard plain state across threads.
final class Mutex: @unchecked Sendable {
    private var mutex = pthread_mutex_t()

    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return try body()
    }
}
