/// Which positions of a forward pass need logits.
public enum LogitRows: Sendable {
    /// Only the last token: a prompt whose continuation is sampled.
    case last
    /// Every token: the verify pass of speculative decoding.
    case all
}

/// Logits `[rowCount, vocabSize]` of one forward pass.
///
/// The storage belongs to the session and is overwritten by its next forward
/// pass; copy a row (`Array(logits.row(i))`) to keep it longer.
public struct Logits {
    public let rowCount: Int
    public let vocabSize: Int
    let base: UnsafeMutablePointer<Float>

    public func row(_ index: Int) -> UnsafeBufferPointer<Float> {
        precondition(index >= 0 && index < rowCount, "logit row \(index) outside 0..<\(rowCount)")
        return UnsafeBufferPointer(start: base + index * vocabSize, count: vocabSize)
    }

    /// The last row: the next-token logits after the final input token.
    public var last: UnsafeBufferPointer<Float> { row(rowCount - 1) }
}
