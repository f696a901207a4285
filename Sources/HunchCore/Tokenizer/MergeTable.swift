/// BPE merge rules keyed by the ids of the pair they join: (left, right) to (rank, result).
///
/// Open addressing with linear probing over 64-bit keys `left << 32 | right`; the
/// slot count is a power of two at least twice the rule count. Ids are below 2^31,
/// so the all-ones key never occurs and marks an empty slot.
struct MergeTable: Sendable {
    private static let emptyKey = UInt64.max

    private var keys: [UInt64]
    /// `rank << 32 | result` per slot.
    private var values: [UInt64]
    private let shift: UInt64

    init(minimumCapacity: Int) {
        var bits: UInt64 = 4
        while (1 << bits) < minimumCapacity * 2 { bits += 1 }
        keys = Array(repeating: Self.emptyKey, count: 1 << Int(bits))
        values = Array(repeating: 0, count: 1 << Int(bits))
        shift = 64 - bits
    }

    private func slot(of key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9e37_79b9_7f4a_7c15) >> shift)
    }

    /// Adds a rule unless one for the same pair exists: the lower rank wins, as in llama.cpp.
    mutating func insertIfAbsent(left: Int32, right: Int32, rank: Int32, result: Int32) {
        let key = UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
        let mask = keys.count - 1
        var slot = slot(of: key)
        while keys[slot] != Self.emptyKey {
            if keys[slot] == key { return }
            slot = (slot + 1) & mask
        }
        keys[slot] = key
        values[slot] = UInt64(UInt32(bitPattern: rank)) << 32 | UInt64(UInt32(bitPattern: result))
    }

    func lookup(left: Int32, right: Int32) -> (rank: Int32, result: Int32)? {
        let key = UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
        let mask = keys.count - 1
        var slot = slot(of: key)
        while true {
            let stored = keys[slot]
            if stored == key {
                let value = values[slot]
                return (Int32(truncatingIfNeeded: value >> 32), Int32(truncatingIfNeeded: value))
            }
            if stored == Self.emptyKey { return nil }
            slot = (slot + 1) & mask
        }
    }
}
