import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Calls a handler when the user presses Ctrl-C (SIGINT) instead of ending the process,
/// from creation until `stop()`. Only one watcher may be active at a time.
///
/// The first Ctrl-C calls the handler, which typically cancels a `GenerationControl`
/// so the engine stops after the round in progress. A second Ctrl-C ends the process
/// as SIGINT does by default, in case the first one could not stop it.
///
/// A signal handler catches the signal, because a dispatch signal source (with SIGINT
/// ignored) missed it inside the test runner on Linux, while a handler runs on whichever
/// thread the kernel delivers to. The handler writes one byte to a pipe, and a dispatch
/// source reading the pipe calls `onInterrupt` outside the signal context.
final class InterruptWatcher: @unchecked Sendable {
    private let source: DispatchSourceRead?
    private let readEnd: Int32
    private let writeEnd: Int32
    private let stopped = Atomic<Bool>(false)

    init(onInterrupt: @escaping @Sendable () -> Void) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            // Without a pipe Ctrl-C keeps its default action: it ends the process.
            (readEnd, writeEnd, source) = (-1, -1, nil)
            return
        }
        (readEnd, writeEnd) = (ends[0], ends[1])
        let readEnd = readEnd
        let source = DispatchSource.makeReadSource(fileDescriptor: readEnd, queue: .global())
        let writeEnd = writeEnd
        source.setEventHandler {
            var byte: UInt8 = 0
            _ = read(readEnd, &byte, 1)
            onInterrupt()
        }
        // The descriptors are closed only once the source can no longer read them.
        source.setCancelHandler {
            close(writeEnd)
            close(readEnd)
        }
        source.resume()
        self.source = source

        interruptCount.store(0, ordering: .sequentiallyConsistent)
        interruptPipe.store(writeEnd, ordering: .sequentiallyConsistent)
        signal(SIGINT, handleInterrupt)
    }

    /// Stops watching and restores the default action of SIGINT; later calls do nothing.
    func stop() {
        let (first, _) = stopped.compareExchange(expected: false, desired: true, ordering: .sequentiallyConsistent)
        guard first, let source else { return }
        signal(SIGINT, SIG_DFL)
        interruptPipe.store(-1, ordering: .sequentiallyConsistent)
        source.cancel()
    }

    deinit { stop() }
}

/// The write end of the active watcher's pipe, or -1.
private let interruptPipe = Atomic<Int32>(-1)
/// SIGINTs received since the active watcher started.
private let interruptCount = Atomic<Int>(0)

/// Handles SIGINT with async-signal-safe calls only: atomics, write, signal and raise.
private func handleInterrupt(_: Int32) {
    let (_, count) = interruptCount.wrappingAdd(1, ordering: .sequentiallyConsistent)
    let writeEnd = interruptPipe.load(ordering: .sequentiallyConsistent)
    if count == 1, writeEnd >= 0 {
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    } else {
        signal(SIGINT, SIG_DFL)
        raise(SIGINT)
    }
}
