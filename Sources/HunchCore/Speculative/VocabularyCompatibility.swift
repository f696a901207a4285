/// The check that a draft model can propose tokens for a target model: both must
/// give every token id the same meaning.
///
/// Required: the same tokenizer kind, the same BOS, EOS and EOT ids, and the same
/// token text at every id both vocabularies have. The sizes may differ by up to
/// `maximumSizeDifference` tokens, because a model family often pads or appends a few
/// tokens (32000 against 32016). The engine bridges the difference: the draft
/// proposes only ids that it has and that the target can score.
public enum VocabularyCompatibility {
    /// Largest difference in token count that is bridged, the same 128 as
    /// `SPEC_VOCAB_MAX_SIZE_DIFFERENCE` in llama.cpp's common/speculative.cpp.
    public static let maximumSizeDifference = 128

    /// Throws the first difference that makes `draft` unusable with `target`.
    public static func check(target: Vocabulary, draft: Vocabulary) throws(VocabularyMismatch) {
        guard target.kind == draft.kind else {
            throw .tokenizerKind(target: target.kind, draft: draft.kind)
        }
        let specials: [(String, Int?, Int?)] = [
            ("BOS", target.bosID, draft.bosID),
            ("EOS", target.eosID, draft.eosID),
            ("EOT", target.eotID, draft.eotID),
        ]
        for (name, targetID, draftID) in specials where targetID != draftID {
            throw .specialToken(name: name, target: targetID, draft: draftID)
        }
        let difference = abs(target.count - draft.count)
        guard difference <= maximumSizeDifference else {
            throw .sizeDifference(target: target.count, draft: draft.count)
        }
        for id in 0..<min(target.count, draft.count) where target.tokens[id] != draft.tokens[id] {
            throw .tokenText(id: id, target: target.tokens[id], draft: draft.tokens[id])
        }
    }
}

/// A difference that makes a draft model's vocabulary unusable with the target's, with the values found.
public enum VocabularyMismatch: Error, Equatable, Sendable, CustomStringConvertible {
    case tokenizerKind(target: TokenizerKind, draft: TokenizerKind)
    /// `name` is BOS, EOS or EOT; nil means the vocabulary has no such token.
    case specialToken(name: String, target: Int?, draft: Int?)
    case sizeDifference(target: Int, draft: Int)
    case tokenText(id: Int, target: String, draft: String)

    public var description: String {
        let fix = "use a draft model of the same family as the target (the same tokenizer), or run without a draft model"
        switch self {
        case .tokenizerKind(let target, let draft):
            return "the draft model's tokenizer is \(draft.rawValue) but the target's is \(target.rawValue): \(fix)."
        case .specialToken(let name, let target, let draft):
            return "the draft model's \(name) token is \(Self.describe(draft)) but the target's is \(Self.describe(target)): \(fix)."
        case .sizeDifference(let target, let draft):
            return "the draft model has \(draft) tokens and the target \(target), more than "
                + "\(VocabularyCompatibility.maximumSizeDifference) apart: \(fix)."
        case .tokenText(let id, let target, let draft):
            return "token \(id) is \(Self.quote(draft)) in the draft model but \(Self.quote(target)) in the target: \(fix)."
        }
    }

    private static func describe(_ id: Int?) -> String {
        id.map { "id \($0)" } ?? "missing"
    }

    /// Returns the text in quotes, with control characters escaped so the message stays on one line.
    private static func quote(_ text: String) -> String {
        "\"" + text.unicodeScalars.map { $0.properties.generalCategory == .control ? $0.escaped(asASCII: true) : String($0) }.joined() + "\""
    }
}
