import Foundation
@testable import HunchCore

/// Tiny llama models with seeded Gaussian weights, written to temporary GGUF files
/// and loaded as `LanguageModel`s, for draft/target pairs whose agreement a test chooses.
///
/// A draft is the target's weights plus `noise` times independent Gaussian weights:
/// noise 0 gives a draft that always agrees, larger noise one that often does not.
/// Shapes are the smallest the int8 kernels take (rows of 32 values).
struct TinyWeights: Sendable {
    var vocabSize = 48
    var seed: UInt64 = 1
    /// Scale of the added independent weights; 0 reproduces the weights of `seed`.
    var noise: Float = 0
    var noiseSeed: UInt64 = 1000
    /// Standard deviation of the logits, roughly: small values spread the distributions.
    var outputGain: Float = 3
    /// `tokenizer.ggml.eos_token_id`, or none.
    var eosID: Int?
    /// Token text at each id; `t<id>` when nil.
    var tokenText: (@Sendable (Int) -> String)?
    var contextLength = 256

    var shape: TinyModel {
        var model = TinyModel()
        model.hiddenSize = 32
        model.headCount = 2
        model.kvHeadCount = 1
        model.ffnSize = 64
        model.layerCount = 2
        model.vocabSize = vocabSize
        model.contextLength = contextLength
        model.tiedOutput = false
        return model
    }

    /// Builds the GGUF file, writes it to a temporary path and loads it.
    func load(pool: ThreadPool = TestModels.pool) throws -> LanguageModel {
        var builder = shape.builder()
        builder.set("tokenizer.ggml.merges", .array(.string([])))
        builder.set("tokenizer.ggml.tokens", .array(.string((0..<vocabSize).map { tokenText?($0) ?? "t\($0)" })))
        if let eosID { builder.set("tokenizer.ggml.eos_token_id", .uint32(UInt32(eosID))) }

        var base = GaussianGenerator(seed: seed)
        var extra = GaussianGenerator(seed: noiseSeed)
        for index in builder.tensors.indices {
            let tensor = builder.tensors[index]
            let count = tensor.dimensions.reduce(1) { $0 * Int($1) }
            let columns = Int(tensor.dimensions[0])
            let scale: Float
            if tensor.name.hasSuffix("norm.weight") {
                scale = 0
            } else if tensor.name == "output.weight" {
                scale = outputGain / Float(columns).squareRoot()
            } else if tensor.name == "token_embd.weight" {
                scale = 1
            } else {
                scale = 1 / Float(columns).squareRoot()
            }
            let values: [Float] = (0..<count).map { _ in
                let weight = base.next() * scale + (scale == 0 ? 1 : 0)
                let perturbation = extra.next() * noise * (scale == 0 ? 0.1 : scale)
                return weight + perturbation
            }
            builder.tensors[index].data = values.withUnsafeBytes { Array($0) }
        }

        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("hunch-tiny-\(UUID().uuidString).gguf")
        try Data(builder.build().bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        return try LanguageModel(path: url.path, pool: pool)
    }
}

/// Standard normal numbers from a seeded generator (Box-Muller).
struct GaussianGenerator {
    private var generator: Xoshiro256StarStar
    private var spare: Float?

    init(seed: UInt64) {
        generator = Xoshiro256StarStar(seed: seed)
    }

    mutating func next() -> Float {
        if let spare {
            self.spare = nil
            return spare
        }
        let u1 = max(generator.nextUnitDouble(), .leastNormalMagnitude)
        let u2 = generator.nextUnitDouble()
        let radius = (-2 * Foundation.log(u1)).squareRoot()
        spare = Float(radius * Foundation.sin(2 * .pi * u2))
        return Float(radius * Foundation.cos(2 * .pi * u2))
    }
}

/// Plain greedy decoding written directly on an `InferenceSession`, independent of
/// the engine: the reference that speculative greedy output must equal.
func referenceGreedy(
    model: LanguageModel, prompt: [Int], count: Int, contextLength: Int = 256, pool: ThreadPool = TestModels.pool
) throws -> [Int] {
    let session = try model.makeSession(contextLength: contextLength, pool: pool)
    let sampler = try Sampler(settings: .greedy)
    var logits = Array(try session.forward(prompt).last)
    var output: [Int] = []
    while output.count < count {
        let token = try sampler.distribution(logits: logits, history: prompt + output).mostLikelyToken
        output.append(token)
        if model.tokenizer.isEndOfGeneration(token) || session.position + 1 >= contextLength { break }
        logits = Array(try session.forward([token]).last)
    }
    return output
}

/// The events of one reply, collected, with the engine's cache check after every round.
struct CollectedReply {
    var events: [GenerationEvent] = []
    var rounds: [SpeculationRound] = []
    var text = ""
    var stop: StopReason?
    var stats: GenerationStats?
    /// Indices of rounds after which `cachesInStep` failed.
    var roundsOutOfStep: [Int] = []

    var tokens: [Int] { rounds.flatMap(\.emitted) }
}

extension SpeculativeEngine {
    /// Runs `generate`, checking the caches after every round, and collects its events.
    /// Every round but the last must keep the strict invariant; the last one, after
    /// which the reply ends, only the relaxed one.
    func collect(
        tokens: [Int], options: GenerationOptions, control: GenerationControl,
        afterRound: (SpeculationRound) -> Void = { _ in }
    ) throws -> CollectedReply {
        var reply = CollectedReply()
        var sequence = tokens
        var strict: [Bool] = []
        var relaxed: [Bool] = []
        _ = try generate(tokens: tokens, options: options, control: control) { event in
            reply.events.append(event)
            switch event {
            case .promptProcessed:
                break
            case .round(let round, let text):
                sequence += round.emitted
                reply.rounds.append(round)
                reply.text += text
                strict.append(cachesInStep(sequence: sequence, replyEnded: false))
                relaxed.append(cachesInStep(sequence: sequence, replyEnded: true))
                afterRound(round)
            case .finished(let stop, let stats):
                reply.stop = stop
                reply.stats = stats
            }
        }
        for index in strict.indices where !(index == strict.count - 1 ? relaxed[index] : strict[index]) {
            reply.roundsOutOfStep.append(index)
        }
        return reply
    }
}
