import CNcursesw
#if canImport(Glibc)
import Glibc
#endif

/// Restores the terminal when hunch is killed or crashes in curses mode, so the
/// shell is never left without echo or in the alternate screen.
public enum TerminalGuard {
    /// Whether curses mode is on; read by the signal handlers. Set on the UI thread only.
    nonisolated(unsafe) static var cursesActive = false

    static let fatalSignals: [Int32] = [SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP]

    /// Installs handlers that call `endwin` and then die of the same signal with its
    /// default action (so a crash still reports and dumps core as it would have).
    public static func install() {
        for signalNumber in fatalSignals {
            signal(signalNumber) { received in
                if TerminalGuard.cursesActive {
                    TerminalGuard.cursesActive = false
                    // NOTE: endwin is not async-signal-safe; on a crash it is still the best chance to restore the terminal.
                    endwin()
                }
                signal(received, SIG_DFL)
                raise(received)
            }
        }
    }
}
