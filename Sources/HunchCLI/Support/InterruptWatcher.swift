import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Calls a handler when the user presses Ctrl-C (SIGINT) instead of ending the process,
/// from creation until `stop()`.
///
/// The first Ctrl-C calls the handler, which typically cancels a `GenerationControl`
/// so the engine stops after the round in progress. A second Ctrl-C ends the process
/// as SIGINT does by default, in case the first one could not stop it. Several watchers
/// may be active at once (tests run commands in parallel): each Ctrl-C calls them all,
/// and SIGINT gets its default action back when the last one stops.
///
/// A signal handler catches the signal, because a dispatch signal source (with SIGINT
/// ignored) missed it inside the test runner on Linux, while a handler runs on whichever
/// thread the kernel delivers to. The handler writes one byte to a pipe, and a dispatch
/// source reading the pipe calls the watchers outside the signal context.
final class InterruptWatcher: Sendable {
    private let stopped = Atomic<Bool>(false)

    init(onInterrupt: @escaping @Sendable () -> Void) {
        InterruptHub.shared.add(ObjectIdentifier(self), onInterrupt)
    }

    /// Stops watching; later calls do nothing.
    func stop() {
        let (first, _) = stopped.compareExchange(expected: false, desired: true, ordering: .sequentiallyConsistent)
        if first { InterruptHub.shared.remove(ObjectIdentifier(self)) }
    }

    deinit { stop() }
}

/// The process-wide side of `InterruptWatcher`: the pipe, its dispatch source and the
/// handlers of the active watchers. The pipe is made on first use and kept open.
private final class InterruptHub: @unchecked Sendable {
    static let shared = InterruptHub()

    private let lock = NSLock()
    private var handlers: [ObjectIdentifier: @Sendable () -> Void] = [:]
    private var source: DispatchSourceRead?

    func add(_ id: ObjectIdentifier, _ handler: @escaping @Sendable () -> Void) {
        lock.withLock {
            guard openPipe() else { return }  // Without a pipe, Ctrl-C keeps its default action.
            if handlers.isEmpty {
                interruptCount.store(0, ordering: .sequentiallyConsistent)
                signal(SIGINT, handleInterrupt)
            }
            handlers[id] = handler
        }
    }

    func remove(_ id: ObjectIdentifier) {
        lock.withLock {
            guard handlers.removeValue(forKey: id) != nil, handlers.isEmpty else { return }
            signal(SIGINT, SIG_DFL)
        }
    }

    /// Creates the pipe and its source when missing; returns false when the pipe cannot be made.
    private func openPipe() -> Bool {
        if source != nil { return true }
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return false }
        let readEnd = ends[0]
        let source = DispatchSource.makeReadSource(fileDescriptor: readEnd, queue: .global())
        source.setEventHandler { [unowned self] in
            var byte: UInt8 = 0
            _ = read(readEnd, &byte, 1)
            let active = lock.withLock { Array(handlers.values) }
            for handler in active { handler() }
        }
        source.resume()
        self.source = source
        interruptPipe.store(ends[1], ordering: .sequentiallyConsistent)
        return true
    }
}

/// The write end of the interrupt pipe, or -1 before it exists.
private let interruptPipe = Atomic<Int32>(-1)
/// SIGINTs received since a watcher became active while none was.
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
