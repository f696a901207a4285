import Foundation

extension SpeculativeEngine {
    /// Stack size of the generating thread, because Foundation's default for secondary
    /// threads is 512 KB on macOS.
    static let generationThreadStackSize = 8 << 20

    /// Runs `generate` on a thread of its own and delivers its events as a stream,
    /// ending with `finished` or with the error `generate` throws.
    ///
    /// A listener that stops before `finished` (leaves its `for await` loop, or its
    /// task is cancelled) cancels `control`, so the reply stops after its current round.
    public func events(
        tokens: [Int], options: GenerationOptions, control: GenerationControl
    ) -> GenerationEventStream {
        let (stream, continuation) = AsyncThrowingStream<GenerationEvent, Error>.makeStream()
        continuation.onTermination = { termination in
            if case .cancelled = termination { control.cancel() }
        }

        let thread = Thread { [self] in
            do {
                _ = try generate(tokens: tokens, options: options, control: control) { event in
                    continuation.yield(event)
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        thread.name = "hunch generation"
        thread.stackSize = Self.generationThreadStackSize
        thread.start()
        return GenerationEventStream(base: stream, control: control)
    }
}

/// The events of one reply as an `AsyncSequence`.
///
/// An `AsyncThrowingStream` learns that its listener left a loop early only once the
/// producer lets go of the continuation, which here is when the reply ends. This
/// wrapper's iterator cancels the reply as soon as the loop drops it before `finished`.
public struct GenerationEventStream: AsyncSequence, Sendable {
    public typealias Element = GenerationEvent

    let base: AsyncThrowingStream<GenerationEvent, Error>
    let control: GenerationControl

    public func makeAsyncIterator() -> Iterator {
        Iterator(base: base.makeAsyncIterator(), listener: ListenerPresence(control: control))
    }

    public struct Iterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<GenerationEvent, Error>.Iterator
        let listener: ListenerPresence

        public mutating func next() async throws -> GenerationEvent? {
            do {
                let event = try await base.next()
                if event == nil { listener.markEnded() }
                if case .finished = event { listener.markEnded() }
                return event
            } catch {
                listener.markEnded()
                throw error
            }
        }
    }
}

/// Cancels the reply when the last iterator of a stream goes away before the stream ended.
final class ListenerPresence: @unchecked Sendable {
    private let control: GenerationControl
    private let lock = NSLock()
    private var ended = false

    init(control: GenerationControl) {
        self.control = control
    }

    func markEnded() {
        lock.withLock { ended = true }
    }

    deinit {
        if !lock.withLock({ ended }) { control.cancel() }
    }
}
