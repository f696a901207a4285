/// A hash table from byte strings to token ids, keyed by exact bytes.
///
/// Swift `String` keys compare by canonical equivalence, so a precomposed "é" and
/// "e" + U+0301 would collide although vocabularies hold both as different tokens.
/// This table compares raw UTF-8 bytes, and lookups take a buffer slice so the
/// encoders never allocate a key. Open addressing with linear probing; the slot
/// count stays a power of two at most half full.
struct ByteStringTable: Sendable {
    /// All keys, back to back; key `i` is `keyBytes[keyOffsets[i]..<keyOffsets[i + 1]]`.
    private var keyBytes: [UInt8] = []
    private var keyOffsets: [Int] = [0]
    private var values: [Int32] = []
    /// Entry index per slot, or -1 for an empty slot.
    private var slots: [Int32]
    private var shift: UInt64

    init(minimumCapacity: Int = 16) {
        var bits: UInt64 = 4
        while (1 << bits) < minimumCapacity * 2 { bits += 1 }
        slots = Array(repeating: -1, count: 1 << Int(bits))
        shift = 64 - bits
    }

    var count: Int { values.count }

    // MARK: - Lookup

    /// Returns the value stored for `key`, or nil.
    func value(for key: UnsafeBufferPointer<UInt8>) -> Int32? {
        let slotMask = slots.count - 1
        var slot = Self.slot(of: key, shift: shift)
        return keyBytes.withUnsafeBufferPointer { stored in
            while true {
                let entry = Int(slots[slot])
                if entry < 0 { return nil }
                let start = keyOffsets[entry]
                let length = keyOffsets[entry + 1] - start
                if length == key.count, Self.equal(stored, start, key) {
                    return values[entry]
                }
                slot = (slot + 1) & slotMask
            }
        }
    }

    func value(for key: [UInt8]) -> Int32? {
        key.withUnsafeBufferPointer { value(for: $0) }
    }

    // MARK: - Insertion

    /// Stores `value` for `key`, replacing an earlier value for the same bytes
    /// (so the last of several identical tokens wins, as in llama.cpp).
    mutating func insert(_ key: UnsafeBufferPointer<UInt8>, value: Int32) {
        if (values.count + 1) * 2 > slots.count { grow() }
        let slotMask = slots.count - 1
        var slot = Self.slot(of: key, shift: shift)
        while true {
            let entry = Int(slots[slot])
            if entry < 0 { break }
            let start = keyOffsets[entry]
            if keyOffsets[entry + 1] - start == key.count,
               keyBytes.withUnsafeBufferPointer({ Self.equal($0, start, key) }) {
                values[entry] = value
                return
            }
            slot = (slot + 1) & slotMask
        }
        slots[slot] = Int32(values.count)
        keyBytes.append(contentsOf: key)
        keyOffsets.append(keyBytes.count)
        values.append(value)
    }

    mutating func insert(_ key: [UInt8], value: Int32) {
        key.withUnsafeBufferPointer { insert($0, value: value) }
    }

    private mutating func grow() {
        let bits = 64 - shift + 1
        shift = 64 - bits
        slots = Array(repeating: -1, count: 1 << Int(bits))
        let slotMask = slots.count - 1
        keyBytes.withUnsafeBufferPointer { stored in
            for entry in 0..<values.count {
                let key = UnsafeBufferPointer(rebasing: stored[keyOffsets[entry]..<keyOffsets[entry + 1]])
                var slot = Self.slot(of: key, shift: shift)
                while slots[slot] >= 0 { slot = (slot + 1) & slotMask }
                slots[slot] = Int32(entry)
            }
        }
    }

    // MARK: - Hashing

    /// FNV-1a over the bytes, then a Fibonacci multiply so the top bits pick the slot.
    private static func slot(of key: UnsafeBufferPointer<UInt8>, shift: UInt64) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return Int(truncatingIfNeeded: (hash &* 0x9e37_79b9_7f4a_7c15) >> shift)
    }

    private static func equal(_ stored: UnsafeBufferPointer<UInt8>, _ start: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        for i in 0..<key.count where stored[start + i] != key[i] {
            return false
        }
        return true
    }
}
