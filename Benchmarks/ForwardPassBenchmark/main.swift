import CHunchKernels
import Foundation
import HunchCore

// Measures one forward pass of a model for M = 1, 2, 3, 5, 9 and 16 new tokens
// after a filled context. The ratio to M = 1 is what a verify pass of
// speculative decoding costs in decoding steps. It also compares the
// single-token step with the machine's memory bandwidth. Run in release:
//
//     swift run -c release ForwardPassBenchmark [MODEL.gguf] [THREADS] [CONTEXT]
//
// Defaults: the target model in the model cache, every online CPU, and a
// context of 256 tokens before each measured pass.

// MARK: - Arguments

let arguments = CommandLine.arguments
let modelPath: String
if arguments.count > 1 {
    modelPath = arguments[1]
} else {
    do {
        modelPath = try ModelCache().directory + "/qwen2.5-coder-1.5b-instruct.gguf"
    } catch {
        FileHandle.standardError.write(Data("ForwardPassBenchmark: \(error)\n".utf8))
        exit(1)
    }
}
let threadCount = arguments.count > 2 ? Int(arguments[2]) ?? ThreadPool.processorCount : ThreadPool.processorCount
let contextTokens = arguments.count > 3 ? Int(arguments[3]) ?? 256 : 256
let batchSizes = [1, 2, 3, 5, 9, 16]
let repetitions = 12

let clock = ContinuousClock()

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted[sorted.count / 2]
}

// MARK: - Memory bandwidth

/// Returns the read bandwidth in bytes per second of summing a 1 GiB buffer on
/// every thread of `pool` at once (`hunch_sum_words`, which prefetches as the
/// matrix kernels do), the best of three runs. This is the access pattern of a
/// decoding step: every weight byte streamed once.
func readBandwidth(pool: ThreadPool) -> Double {
    let count = 1 << 27  // UInt64 values, 1 GiB
    let buffer = UnsafeMutablePointer<UInt64>.allocate(capacity: count)
    defer { buffer.deallocate() }
    buffer.initialize(repeating: 1, count: count)

    let sums = UnsafeMutablePointer<UInt64>.allocate(capacity: pool.threadCount)
    defer { sums.deallocate() }
    var best = 0.0
    for _ in 0..<3 {
        let started = clock.now
        pool.parallelFor(pool.threadCount) { range, _ in
            for part in range {
                let share = ThreadPool.share(of: count, part: part, parts: pool.threadCount)
                sums[part] = hunch_sum_words(buffer + share.lowerBound, share.count)
            }
        }
        let elapsed = seconds(clock.now - started)
        best = max(best, Double(count * 8) / elapsed)
    }
    return best
}

// MARK: - Forward passes

let pool = ThreadPool(threadCount: threadCount)
let model: LanguageModel
do {
    model = try LanguageModel(path: modelPath, pool: pool)
} catch {
    FileHandle.standardError.write(Data("ForwardPassBenchmark: failed to load \(modelPath): \(error)\n".utf8))
    exit(1)
}

let capacity = contextTokens + batchSizes.max()! + 1
let session: InferenceSession
do {
    session = try model.makeSession(contextLength: min(capacity, model.config.contextLength), pool: pool)
} catch {
    FileHandle.standardError.write(Data("ForwardPassBenchmark: \(error)\n".utf8))
    exit(1)
}

// A context of real text, repeated to the requested length.
let sample = model.tokenizer.encode(
    "def fibonacci(n: int) -> int:\n    \"\"\"Return the n-th Fibonacci number.\"\"\"\n    if n < 2:\n        return n\n",
    addSpecial: false)
var context: [Int] = []
while context.count < contextTokens { context += sample }
context = Array(context.prefix(contextTokens))

do {
    if !context.isEmpty { _ = try session.forward(context) }

    // One unmeasured pass of each size warms caches and the thread pool.
    for m in batchSizes {
        _ = try session.forward(Array(sample.prefix(m)), logits: .all)
        session.truncate(to: contextTokens)
    }

    var results: [(m: Int, seconds: Double)] = []
    for m in batchSizes {
        let tokens = Array((sample + sample).prefix(m))
        var times: [Double] = []
        for _ in 0..<repetitions {
            let started = clock.now
            _ = try session.forward(tokens, logits: .all)
            times.append(seconds(clock.now - started))
            session.truncate(to: contextTokens)
        }
        results.append((m, median(times)))
    }

    let bandwidth = readBandwidth(pool: pool)
    let weightBytes = Double(model.weights.matrixByteCount)
    let single = results[0].seconds

    print("model:            \(modelPath)")
    print("threads:          \(threadCount)")
    print("context:          \(contextTokens) tokens before each pass; median of \(repetitions) passes")
    print("int8 weights:     \(String(format: "%.1f MB", weightBytes / 1e6))")
    print("read bandwidth:   \(String(format: "%.1f GB/s", bandwidth / 1e9)) (1 GiB sum, \(threadCount) threads)")
    print("bandwidth bound:  \(String(format: "%.1f ms", weightBytes / bandwidth * 1e3)) per token (weights / read bandwidth)")
    print("")
    print("|  M | pass, ms | x M=1 | tokens/s |")
    print("|---:|---:|---:|---:|")
    for (m, time) in results {
        print(String(format: "| %2d | %.2f | %.2f | %.1f |", m, time * 1e3, time / single, Double(m) / time))
    }
    print("")
    // NOTE: the read loop is a lower bound of the machine's bandwidth. The
    // matrix kernels have streamed weights faster than it on some machines.
    print(String(
        format: "single-token step streams its weights at %.1f GB/s, %.2fx the read bandwidth above",
        weightBytes / single / 1e9, weightBytes / single / bandwidth))
} catch {
    FileHandle.standardError.write(Data("ForwardPassBenchmark: \(error)\n".utf8))
    exit(1)
}
