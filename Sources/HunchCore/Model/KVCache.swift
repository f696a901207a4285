/// Keys and values of every layer for the tokens seen so far.
///
/// Per layer, keys and values are `[kvHeadCount, capacity, headDim]` Floats, so
/// the positions of one head are contiguous for the attention loops. Rolling
/// back (`truncate(to:)`) only moves `count`: entries past it are overwritten
/// by the next forward pass, which is what rejecting draft tokens needs.
public final class KVCache: @unchecked Sendable {
    public let layerCount: Int
    public let kvHeadCount: Int
    public let headDim: Int
    /// Maximum number of positions, in tokens.
    public let capacity: Int
    /// Number of positions filled: the next token goes at position `count`.
    public private(set) var count = 0

    let keys: UnsafeMutablePointer<Float>
    let values: UnsafeMutablePointer<Float>

    public init(config: ModelConfig, capacity: Int) {
        precondition(capacity > 0, "KV cache capacity must be positive")
        layerCount = config.layerCount
        kvHeadCount = config.kvHeadCount
        headDim = config.headDim
        self.capacity = capacity
        let size = layerCount * kvHeadCount * capacity * headDim
        keys = .allocate(capacity: size)
        values = .allocate(capacity: size)
        keys.initialize(repeating: 0, count: size)
        values.initialize(repeating: 0, count: size)
    }

    deinit {
        keys.deallocate()
        values.deallocate()
    }

    /// Bytes of memory the cache holds.
    public var byteCount: Int { 2 * layerCount * kvHeadCount * capacity * headDim * MemoryLayout<Float>.size }

    /// Forgets every position from `length` on, in O(1). Returns how many were removed.
    @discardableResult
    public func truncate(to length: Int) -> Int {
        precondition(length >= 0, "cannot truncate the KV cache to \(length)")
        let removed = max(0, count - length)
        count = min(count, length)
        return removed
    }

    /// Marks `newCount` positions as filled after a forward pass wrote them.
    func setCount(_ newCount: Int) {
        precondition(newCount <= capacity, "KV cache overflow: \(newCount) > \(capacity)")
        count = newCount
    }

    /// Start of head `head`'s keys in layer `layer` (position 0).
    @inline(__always)
    func keys(layer: Int, head: Int) -> UnsafeMutablePointer<Float> {
        keys + ((layer * kvHeadCount + head) * capacity) * headDim
    }

    @inline(__always)
    func values(layer: Int, head: Int) -> UnsafeMutablePointer<Float> {
        values + ((layer * kvHeadCount + head) * capacity) * headDim
    }
}
