import Foundation
import HunchCore
@testable import HunchCLI

/// A `ReplyEngine` that plays a script instead of running a model, so the commands'
/// output can be checked exactly.
///
/// Each round emits the next ids of `output(prompt, draftLength)`, `roundSize` at a time.
/// With a draft, every emitted token but the last counts as an accepted draft token,
/// and the round drafts `draftLength` tokens (2 for auto). Timings are fixed: the
/// prompt takes `promptSecondsPerToken` per token and each emitted token
/// `decodeSecondsPerToken`, so the rates in the stats are known exactly.
final class FakeEngine: ReplyEngine, @unchecked Sendable {
    let targetName: String
    let draftName: String?
    let tokenizer: Tokenizer
    let chatTemplate: ChatTemplate
    let contextLength: Int
    private(set) var contextUsed = 0

    var roundSize = 2
    var promptSecondsPerToken = 0.01
    var decodeSecondsPerToken = 0.1
    /// The ids generated for a prompt under a draft length (nil: the target alone).
    var output: (_ prompt: [Int], _ draftLength: DraftLengthSetting?) -> [Int] = { _, _ in [3, 4, 5, 3, 4, 5] }
    /// Called after each round with its index, e.g. to cancel.
    var afterRound: (Int, GenerationControl) -> Void = { _, _ in }
    /// The token sequences `generate` was called with, in order.
    private(set) var calls: [[Int]] = []

    init(tokenizer: Tokenizer, chatTemplate: ChatTemplate = .none, draft: Bool = true, contextLength: Int = 64) {
        targetName = "Fake Target"
        draftName = draft ? "Fake Draft" : nil
        self.tokenizer = tokenizer
        self.chatTemplate = chatTemplate
        self.contextLength = contextLength
    }

    /// Returns a tokenizer over the tiny llama vocabulary (<unk>, <s>, <end>\n, a, b, c).
    static func tinyTokenizer() throws -> Tokenizer {
        var model = TinyGGUF.llama()
        // The tiny model's padding id lies outside its vocabulary on purpose, for the info tests.
        model.metadata.removeAll { $0.key == "tokenizer.ggml.padding_token_id" }
        return try Tokenizer(gguf: GGUFFile(path: model.write()))
    }

    func generate(
        tokens: [Int], options: GenerationOptions, control: GenerationControl,
        onEvent: (GenerationEvent) -> Void
    ) throws -> GenerationStats {
        calls.append(tokens)
        var stats = GenerationStats()
        // Like SpeculativeEngine, the prompt pass reads all but the last token.
        stats.promptTokens = tokens.count - 1
        stats.promptSeconds = Double(stats.promptTokens) * promptSecondsPerToken
        onEvent(.promptProcessed(tokens: stats.promptTokens, seconds: stats.promptSeconds))

        let setting: DraftLengthSetting? = draftName == nil ? nil : control.draftLength
        let planned = Array(output(tokens, setting).prefix(options.maxTokens))
        var reason = planned.count == options.maxTokens ? StopReason.tokenLimit : .endOfText
        var position = 0
        var index = 0
        while position < planned.count {
            if control.isCancelled {
                reason = .cancelled
                break
            }
            let emitted = Array(planned[position..<min(position + roundSize, planned.count)])
            position += emitted.count

            var draftLength = 0
            switch setting {
            case .fixed(let k)?: draftLength = k
            case .auto?: draftLength = 2
            case nil: break
            }
            let accepted = min(emitted.count - 1, draftLength)
            let drafted = (0..<draftLength).map { DraftedToken(id: 3 + $0 % 3, draftProbability: 1) }
            var kind = TargetTokenKind.plain
            if draftLength > 0 { kind = accepted == draftLength ? .bonus : .correction }
            let round = SpeculationRound(
                index: index, draftLength: draftLength, drafted: drafted, acceptedCount: accepted,
                targetToken: emitted.last,
                targetTokenKind: kind,
                emitted: emitted, draftSeconds: 0, verifySeconds: 0)

            stats.rounds += 1
            stats.generatedTokens += emitted.count
            stats.decodeSeconds += Double(emitted.count) * decodeSecondsPerToken
            stats.drafted += draftLength
            stats.accepted += accepted
            for slot in 0..<draftLength {
                if slot == stats.draftedAtPosition.count {
                    stats.draftedAtPosition.append(0)
                    stats.acceptedAtPosition.append(0)
                }
                stats.draftedAtPosition[slot] += 1
                if slot < accepted { stats.acceptedAtPosition[slot] += 1 }
            }
            onEvent(.round(round, text: tokenizer.decode(emitted)))
            afterRound(index, control)
            index += 1
        }
        contextUsed = tokens.count + position
        onEvent(.finished(reason, stats))
        return stats
    }
}
