import Foundation
@testable import HunchCore

/// A golden fixture written by scripts/make-tokenizer-fixtures.py from llama.cpp's output.
struct TokenizerFixture: Decodable {
    /// The reference implementation and its version.
    let reference: String
    /// The vocabulary file in the model cache.
    let file: String
    /// A pre-tokenizer the reference was forced to use, instead of the file's.
    let preTokenizer: String?
    let vocabulary: VocabularyFacts
    let cases: [Case]

    struct VocabularyFacts: Decodable {
        let size: Int
        let bos: Int?
        let eos: Int?
        let endOfGeneration: [Int]
        let addBOS: Bool
        let addEOS: Bool
        /// Tokens per digest in the two digest lists.
        let digestBlock: Int
        /// Digests of the pieces with special tokens shown.
        let pieceDigests: [String]
        /// Digests of the pieces with control and unknown tokens empty.
        let visiblePieceDigests: [String]
    }

    struct Case: Decodable, CustomStringConvertible {
        let name: String
        let text: String
        let addSpecial: Bool
        let parseSpecial: Bool
        let ids: [Int]
        /// Whether llama.cpp's pieces of `ids` spell `text` (only for cases without BOS/EOS).
        let decodesToInput: Bool?

        var description: String { "'\(name)' (addSpecial: \(addSpecial), parseSpecial: \(parseSpecial))" }
    }

    static let names = ["qwen2", "smollm", "llama-spm", "llama-bpe", "gpt-2", "gpt-2-default"]

    static func load(_ name: String) throws -> TokenizerFixture {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures/tokenizer") else {
            throw FixtureNotFound(name: name)
        }
        return try JSONDecoder().decode(TokenizerFixture.self, from: Data(contentsOf: url))
    }

    /// The tokenizer this fixture was made with, from the model cache.
    func tokenizer() throws -> Tokenizer {
        let tokenizer = try TestModels.tokenizer(file)
        guard let preTokenizer else { return tokenizer }
        guard preTokenizer == "default" else { throw FixtureNotFound(name: "pre-tokenizer \(preTokenizer)") }
        return try Tokenizer(vocabulary: tokenizer.vocabulary.replacingPreTokenizer(.legacyDefault))
    }

    /// FNV-1a 64 over (length as 4 little-endian bytes, piece) per token, one digest per
    /// block of `digestBlock` tokens: the same digests the fixture script computes.
    static func digests(count: Int, block: Int, piece: (Int) -> [UInt8]) -> [String] {
        stride(from: 0, to: count, by: block).map { blockStart in
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            func add(_ byte: UInt8) { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
            for id in blockStart..<min(blockStart + block, count) {
                let bytes = piece(id)
                for shift in stride(from: 0, to: 32, by: 8) { add(UInt8(truncatingIfNeeded: bytes.count >> shift)) }
                bytes.forEach(add)
            }
            let hex = String(hash, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }
    }
}

struct FixtureNotFound: Error, CustomStringConvertible {
    let name: String
    var description: String { "tokenizer fixture \(name) not found; run scripts/make-tokenizer-fixtures.py" }
}

/// Describes where two id lists differ, for failure messages about long inputs.
func describeDifference(expected: [Int], actual: [Int]) -> String {
    guard let index = zip(expected, actual).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset
        ?? (expected.count != actual.count ? min(expected.count, actual.count) : nil)
    else { return "no difference" }
    let window = max(0, index - 3)..<(index + 5)
    return "first difference at index \(index) of \(expected.count) expected / \(actual.count) actual: "
        + "expected \(expected[window.clamped(to: 0..<expected.count)]), got \(actual[window.clamped(to: 0..<actual.count)])"
}
