import Foundation

extension SpeculativeEngine {
    /// Stack size of the generating thread, because Foundation's default for secondary
    /// threads is 512 KB on macOS.
    static let generationThreadStackSize = 8 << 20

    /// Runs `generate` on a thread of its own and delivers its events as a stream,
    /// ending with `finished` or with the error `generate` throws.
    ///
    /// When the consumer stops listening (the stream is terminated or its task
    /// cancelled), `control` is cancelled, so the reply stops after its current round.
    public func events(
        tokens: [Int], options: GenerationOptions, control: GenerationControl
    ) -> AsyncThrowingStream<GenerationEvent, Error> {
        let (stream, continuation) = AsyncThrowingStream<GenerationEvent, Error>.makeStream()
        // Only a listener that stops early cancels; a reply that finished leaves the
        // control as it was, ready for the next reply.
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
        return stream
    }
}
