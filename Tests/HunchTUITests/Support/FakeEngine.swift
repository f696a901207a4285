import Foundation
import HunchCore
@testable import HunchTUI

/// A byte-level BPE tokenizer built in memory: the 256 GPT-2 byte tokens, one merge
/// ("h e"), and the ChatML control tokens.
enum TestTokenizer {
    static let shared: Tokenizer = make()

    /// GPT-2's mapping of bytes to printable characters.
    static func byteCharacters() -> [Character] {
        var printable = Array(33...126) + Array(161...172) + Array(174...255)
        var characters = printable.map { Character(Unicode.Scalar(UInt32($0))!) }
        var extra = 0
        for byte in 0..<256 where !printable.contains(byte) {
            printable.append(byte)
            characters.append(Character(Unicode.Scalar(UInt32(256 + extra))!))
            extra += 1
        }
        var ordered = [Character](repeating: " ", count: 256)
        for (byte, character) in zip(printable, characters) { ordered[byte] = character }
        return ordered
    }

    private static func make() -> Tokenizer {
        let tokens = byteCharacters().map { String($0) } + ["he", "<|im_start|>", "<|im_end|>", "<|endoftext|>"]
        let types = [Int32](repeating: 1, count: 257) + [3, 3, 3]
        let metadata: [(key: String, value: GGUFValue)] = [
            ("general.architecture", .string("qwen2")),
            ("tokenizer.ggml.model", .string("gpt2")),
            ("tokenizer.ggml.pre", .string("gpt-2")),
            ("tokenizer.ggml.tokens", .array(.string(tokens))),
            ("tokenizer.ggml.token_type", .array(.int32(types))),
            ("tokenizer.ggml.merges", .array(.string(["h e"]))),
            ("tokenizer.ggml.eos_token_id", .uint32(UInt32(tokens.count - 2))),
        ]
        let layout = GGUFEncoder.layout(metadata: metadata, tensors: [], alignment: 32)
        let path = NSTemporaryDirectory() + "hunch-tui-test-vocab-\(getpid()).gguf"
        FileManager.default.createFile(atPath: path, contents: Data(layout.headerBytes))
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            return try Tokenizer(gguf: GGUFFile(path: path))
        } catch {
            preconditionFailure("the test vocabulary does not load: \(error)")
        }
    }
}

/// A `ReplyEngine` that replies with fixed text in rounds of a fixed pattern:
/// round r accepts `r % (K + 1)` draft tokens (capped by the text left), then the
/// target's token follows. It reads the control's K and cancel before each round.
final class FakeEngine: ReplyEngine, @unchecked Sendable {
    let tokenizer = TestTokenizer.shared
    let chatTemplate = ChatTemplate.chatML(defaultSystemPrompt: "You are a test.")
    let targetName = "fake-target"
    let draftName: String? = "fake-draft"
    let contextLength = 4096

    private let lock = NSLock()
    private var _contextUsed = 0
    private var _requests: [[Int]] = []
    private var _draftLengths: [DraftLengthSetting] = []
    var contextUsed: Int { lock.withLock { _contextUsed } }
    /// The token sequences `generate` received, in order.
    var requests: [[Int]] { lock.withLock { _requests } }
    /// The draft length setting read at the start of each round.
    var draftLengths: [DraftLengthSetting] { lock.withLock { _draftLengths } }

    var replyText: String
    /// When set, each round waits for a signal, so a test can act between rounds.
    let roundGate: DispatchSemaphore?
    /// When set, `generate` throws after this many rounds.
    var failAfterRounds: Int?

    struct Failure: Error, CustomStringConvertible {
        var description: String { "the fake model failed" }
    }

    init(replyText: String = "Hello, world!", roundGate: DispatchSemaphore? = nil) {
        self.replyText = replyText
        self.roundGate = roundGate
    }

    func generate(
        tokens: [Int], options: GenerationOptions, control: GenerationControl,
        onEvent: (GenerationEvent) -> Void
    ) throws -> GenerationStats {
        lock.withLock {
            _requests.append(tokens)
            _contextUsed = tokens.count
        }
        let ids = tokenizer.encode(replyText, addSpecial: false) + [tokenizer.eosID!]
        var stats = GenerationStats()
        stats.promptTokens = tokens.count
        stats.promptSeconds = 0.01
        stats.targetStepSeconds = 0.02
        onEvent(.promptProcessed(tokens: tokens.count, seconds: 0.01))

        var position = 0
        var index = 0
        var reason = StopReason.endOfText
        while position < ids.count {
            roundGate?.wait()
            if control.isCancelled {
                reason = .cancelled
                break
            }
            if let failAfterRounds, index >= failAfterRounds { throw Failure() }
            let setting = control.draftLength
            lock.withLock { _draftLengths.append(setting) }
            let k: Int
            switch setting {
            case .fixed(let value): k = value
            case .auto: k = 3
            }
            let accepted = min(index % (k + 1), ids.count - position - 1)
            let rejectedCount = accepted < k ? k - accepted : 0
            let drafted = ids[position..<(position + accepted)].map { DraftedToken(id: $0, draftProbability: 0.9) }
                + Array(repeating: DraftedToken(id: Int(UInt8(ascii: "x")), draftProbability: 0.5), count: rejectedCount)
            let target = ids[position + accepted]
            let emitted = Array(ids[position...(position + accepted)])
            let round = SpeculationRound(
                index: index, draftLength: k, drafted: drafted, acceptedCount: accepted, targetToken: target,
                targetTokenKind: accepted == k ? .bonus : .correction, emitted: emitted,
                draftSeconds: 0.001, verifySeconds: 0.002)
            stats.add(round)
            lock.withLock { _contextUsed += emitted.count }
            onEvent(.round(round, text: tokenizer.decode(emitted)))
            position += emitted.count
            index += 1
        }
        onEvent(.finished(reason, stats))
        return stats
    }
}
