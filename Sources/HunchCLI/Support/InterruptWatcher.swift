import Dispatch

#if canImport(Glibc)
import Glibc
#endif

/// Calls a handler when the user presses Ctrl-C (SIGINT) instead of ending the process,
/// from creation until `stop()`.
///
/// The first Ctrl-C calls the handler, which typically cancels a `GenerationControl`
/// so the engine stops after the round in progress. The signal's default action is
/// restored right after, so a second Ctrl-C ends a process that does not stop.
final class InterruptWatcher: @unchecked Sendable {
    private let source: DispatchSourceSignal
    private let lock = Mutex()
    private var stopped = false

    init(onInterrupt: @escaping @Sendable () -> Void) {
        // The dispatch source sees the signal only while its default action (ending the process) is off.
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [weak self] in
            onInterrupt()
            self?.restoreDefault()
        }
        source.resume()
    }

    /// Stops watching and restores the default action of SIGINT; later calls do nothing.
    func stop() {
        guard lock.withLock({ () -> Bool in
            defer { stopped = true }
            return !stopped
        }) else { return }
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }

    private func restoreDefault() {
        lock.withLock {
            if !stopped { signal(SIGINT, SIG_DFL) }
        }
    }

    deinit { stop() }
}
