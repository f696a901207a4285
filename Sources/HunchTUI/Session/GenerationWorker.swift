import Foundation
import HunchCore

/// A message from the generation thread to the UI thread.
public enum WorkerMessage: Sendable, Equatable {
    case event(GenerationEvent)
    /// `generate` threw; the text is the error's description.
    case failed(String)
}

/// A locked queue from the generation thread to the UI thread, which drains it
/// between key presses.
public final class WorkerQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [WorkerMessage] = []

    public init() {}

    public func push(_ message: WorkerMessage) {
        lock.withLock { items.append(message) }
    }

    /// Removes and returns everything queued, oldest first.
    public func drain() -> [WorkerMessage] {
        lock.withLock {
            defer { items.removeAll(keepingCapacity: true) }
            return items
        }
    }
}

/// Runs one reply on a background thread, so the UI keeps drawing and reading keys.
enum GenerationWorker {
    static func start(
        engine: any ReplyEngine, tokens: [Int], options: GenerationOptions,
        control: GenerationControl, queue: WorkerQueue
    ) {
        let thread = Thread {
            do {
                _ = try engine.generate(tokens: tokens, options: options, control: control) { event in
                    queue.push(.event(event))
                }
            } catch {
                queue.push(.failed(String(describing: error)))
            }
        }
        thread.name = "hunch generation"
        // The models' forward passes recurse little but use large stack frames in places.
        thread.stackSize = 8 << 20
        thread.start()
    }
}
