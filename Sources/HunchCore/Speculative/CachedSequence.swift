/// An inference session together with the token ids its KV cache holds, so that a
/// rollback keeps exactly the prefix a new sequence shares with the cache.
///
/// Ids are recorded as the target model numbers them. A draft model with a smaller
/// vocabulary cannot embed the target's extra ids; it is fed `substituteID` in their
/// place (see `inputLimit`). Its predictions after such a token are worse, but every
/// draft token is verified by the target, so the output does not change.
final class CachedSequence {
    let session: InferenceSession
    /// Ids at positions 0..<tokens.count of the cache; always `session.position` long.
    private(set) var tokens: [Int] = []
    /// Ids at or above this are fed as `substituteID`.
    let inputLimit: Int
    let substituteID: Int

    init(session: InferenceSession, substituteID: Int = 0) {
        self.session = session
        inputLimit = session.config.vocabSize
        self.substituteID = substituteID
    }

    var count: Int { tokens.count }

    /// Rolls the cache back to the longest common prefix of its tokens and `sequence`,
    /// and to at most `maximum` tokens.
    func keepCommonPrefix(with sequence: [Int], maximum: Int) {
        var length = 0
        let limit = min(tokens.count, sequence.count, maximum)
        while length < limit && tokens[length] == sequence[length] {
            length += 1
        }
        truncate(to: length)
    }

    func truncate(to length: Int) {
        guard length < tokens.count else { return }
        session.truncate(to: length)
        tokens.removeLast(tokens.count - length)
    }

    /// Runs `ids` through the model after the tokens already cached.
    ///
    /// On a failure the cache is rolled back to the tokens it held before, so the
    /// recorded ids stay equal to what the cache holds.
    func forward(_ ids: [Int], logits rows: LogitRows = .last) throws(InferenceError) -> Logits {
        let input = ids.map { $0 < inputLimit ? $0 : substituteID }
        let before = tokens.count
        do {
            let logits = try session.forward(input, logits: rows)
            tokens += ids
            return logits
        } catch {
            session.truncate(to: before)
            throw error
        }
    }

    /// Whether the cache length equals `tokens.count`, the invariant the engine keeps.
    var isConsistent: Bool { session.position == tokens.count }
}
