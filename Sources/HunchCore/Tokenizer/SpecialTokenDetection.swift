/// Special tokens recognised by their text, because GGUF files often lack the keys for them.
///
/// The texts are the ones llama.cpp (as vendored in llama-cpp-python 0.3.36, `llama-vocab.cpp`)
/// looks for, so generation stops on the same tokens there and here. Harmony-format
/// markers (`<|return|>`, `<|call|>`) are left out, because llama.cpp needs extra rules for them.
/// llama.cpp keeps one fill-in-the-middle id per marker kind and skips the search when
/// the file names one. Here every matching text counts, which differs only for
/// vocabularies that contain two spellings of one marker.
struct SpecialTokenDetection {
    /// Texts that end generation wherever they appear in a vocabulary.
    static let endOfGenerationTexts: Set<String> = [
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "</s>",
        "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]", "<|end_of_text|>",
        "<end_of_utterance>", "<eos>", "<｜end▁of▁sentence｜>",
    ]

    /// End-of-turn texts in order of preference, for `Vocabulary.eotID`.
    static let endOfTurnTexts: [String] = [
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>",
        "<EOT>", "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>", "<end_of_utterance>",
    ]

    /// Fill-in-the-middle padding, repository and file-separator markers. llama.cpp
    /// ends generation on them too, since a code model emits them only after its reply.
    static let fillInMiddleStopTexts: Set<String> = [
        "<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]",
        "<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>",
        "<|file_sep|>",
    ]

    /// Fill-in-the-middle prefix, suffix and middle markers: control tokens, not stops.
    static let fillInMiddleTexts: Set<String> = [
        "<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>", "▁<PRE>",
        "<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<｜fim▁hole｜>", "<SUF>", "▁<SUF>",
        "<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<｜fim▁end｜>", "<MID>", "▁<MID>",
    ]

    /// Tokens whose text marks them as end-of-generation.
    private(set) var endOfGenerationIDs: Set<Int> = []
    /// The preferred end-of-turn token, if the vocabulary contains one.
    private(set) var endOfTurnID: Int?
    /// Every token recognised here; each is treated as a control token.
    private(set) var controlIDs: [Int] = []

    init(tokens: [String]) {
        var endOfTurnRank = Int.max
        for (id, text) in tokens.enumerated() {
            // Only short bracketed texts can match; skip the rest without hashing them.
            guard text.utf8.count <= 32, text.utf8.contains(where: { $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: "[") }) else {
                continue
            }
            if Self.endOfGenerationTexts.contains(text) {
                endOfGenerationIDs.insert(id)
                controlIDs.append(id)
            }
            if let rank = Self.endOfTurnTexts.firstIndex(of: text), rank < endOfTurnRank {
                endOfTurnRank = rank
                endOfTurnID = id
            }
            if Self.fillInMiddleStopTexts.contains(text) {
                endOfGenerationIDs.insert(id)
                controlIDs.append(id)
            }
            if Self.fillInMiddleTexts.contains(text) {
                controlIDs.append(id)
            }
        }
    }
}
