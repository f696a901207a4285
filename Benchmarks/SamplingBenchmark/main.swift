import Foundation
import HunchCore

// Times Sampler.distribution, TokenDistribution.sample, SpeculativeSampling.residual and
// Sampler.argmax on logits of Qwen2.5's vocabulary size. Run in release:
//
//     swift run -c release SamplingBenchmark [LOGITS.f32]
//
// LOGITS.f32, if given, is a raw little-endian float32 file of real logits (for example
// from scripts/dump-real-logits.py) and is timed next to the synthetic sets.

let vocabSize = 151_936

// MARK: - Logit sets

/// Standard normal draws by Box-Muller from the seeded generator.
func normal(_ generator: inout Xoshiro256StarStar) -> Float {
    let u = max(generator.nextUnitDouble(), 0x1p-53)
    let v = generator.nextUnitDouble()
    return Float((-2 * log(u)).squareRoot() * cos(2 * Double.pi * v))
}

func uniformLogits() -> [Float] {
    var generator = Xoshiro256StarStar(seed: 1)
    return (0..<vocabSize).map { _ in generator.nextUnitFloat() * 20 - 10 }
}

/// Normal(0, 2.5) background with a handful of tokens far above it, the shape of a
/// language model that is fairly sure of the next token.
func peakedLogits() -> [Float] {
    var generator = Xoshiro256StarStar(seed: 2)
    var logits = (0..<vocabSize).map { _ in 2.5 * normal(&generator) }
    for (token, logit) in [(198, 24), (1_000, 22.5), (77_777, 21), (150_000, 19)] {
        logits[token] = Float(logit)
    }
    return logits
}

func fileLogits(_ path: String) -> [Float]? {
    guard let data = FileManager.default.contents(atPath: path), data.count % 4 == 0 else { return nil }
    return data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
}

// MARK: - Timing

/// Thread CPU time now, in nanoseconds. CPU time rather than wall time, so other jobs on
/// a shared machine do not inflate the numbers; page faults still count.
func threadCPUNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

/// Median and mean microseconds of thread CPU time per call over `iterations` calls,
/// after 10 warm-up calls.
func measure(iterations: Int, _ body: () -> Void) -> (median: Double, mean: Double) {
    for _ in 0..<10 { body() }
    var samples: [Double] = []
    samples.reserveCapacity(iterations)
    for _ in 0..<iterations {
        let start = threadCPUNanoseconds()
        body()
        samples.append(Double(threadCPUNanoseconds() - start) / 1_000)
    }
    samples.sort()
    return (samples[samples.count / 2], samples.reduce(0, +) / Double(samples.count))
}

func format(_ value: Double) -> String {
    String(format: "%9.1f", value)
}

let configurations: [(name: String, settings: SamplerSettings)] = [
    ("greedy", .greedy),
    ("top-k 40, top-p 0.95", SamplerSettings(temperature: 0.8, topK: 40, topP: 0.95, minP: 0)),
    ("top-k 40, top-p 0.95, min-p 0.05, penalty 1.1", SamplerSettings(repetitionPenalty: 1.1)),
    ("top-k off, top-p 0.95", SamplerSettings(temperature: 0.8, topK: 0, topP: 0.95, minP: 0)),
    ("top-k off, top-p 0.95, min-p 0.05", SamplerSettings(temperature: 0.8, topK: 0, topP: 0.95, minP: 0.05)),
    ("top-k off, top-p 0.95, penalty 1.1", SamplerSettings(temperature: 0.8, topK: 0, topP: 0.95, minP: 0, repetitionPenalty: 1.1)),
    ("no filter (temperature 0.8 only)", SamplerSettings(temperature: 0.8, topK: 0, topP: 1, minP: 0)),
]

var logitSets: [(name: String, logits: [Float])] = [("uniform [-10, 10)", uniformLogits()), ("peaked normal", peakedLogits())]
if CommandLine.arguments.count > 1 {
    let path = CommandLine.arguments[1]
    guard let logits = fileLogits(path) else {
        FileHandle.standardError.write(Data("cannot read float32 logits from \(path)\n".utf8))
        exit(1)
    }
    logitSets.append(("file \(path)", logits))
}

var historyGenerator = Xoshiro256StarStar(seed: 3)
let history = (0..<200).map { _ in Int(historyGenerator.next() % UInt64(vocabSize)) }

print("vocabulary: \(vocabSize) tokens; thread CPU microseconds per call (median, mean)")
for set in logitSets {
    print("\n\(set.name), \(set.logits.count) logits")
    let argmax = measure(iterations: 2_000) { _ = Sampler.argmax(set.logits) }
    print("  argmax                                         \(format(argmax.median)) \(format(argmax.mean))")

    for configuration in configurations {
        let sampler = try Sampler(settings: configuration.settings)
        var support = 0
        let timing = set.logits.withUnsafeBufferPointer { buffer in
            measure(iterations: 300) {
                let distribution = try! sampler.distribution(logits: buffer, history: history)
                support = distribution.count
            }
        }
        let distribution = try sampler.distribution(logits: set.logits, history: history)
        var generator = Xoshiro256StarStar(seed: 4)
        let draw = measure(iterations: 300) { _ = distribution.sample(using: &generator) }
        // The draft's distribution: the same logits with every 7th one raised a little.
        let draftLogits = set.logits.enumerated().map { $0.offset % 7 == 0 ? $0.element + 0.5 : $0.element }
        let draftDistribution = try sampler.distribution(logits: draftLogits, history: history)
        let residual = measure(iterations: 100) {
            _ = SpeculativeSampling.residual(target: distribution, draft: draftDistribution)
        }
        let label = "distribution, \(configuration.name)".padding(toLength: 47, withPad: " ", startingAt: 0)
        print("  \(label)\(format(timing.median)) \(format(timing.mean))   support \(support), sample \(format(draw.median)), residual \(format(residual.median))")
    }
}
