import Testing
@testable import HunchCore

/// The tables and the heap under the encoders.
@Suite("Tokenizer data structures")
struct TokenizerDataStructureTests {
    @Test("byte table finds every key after growing")
    func byteTableGrowth() {
        var table = ByteStringTable()
        for value in 0..<10_000 { table.insert(Array("key\(value)".utf8), value: Int32(value)) }
        #expect(table.count == 10_000)
        for value in stride(from: 0, to: 10_000, by: 37) {
            #expect(table.value(for: Array("key\(value)".utf8)) == Int32(value))
        }
        #expect(table.value(for: Array("key10000".utf8)) == nil)
        #expect(table.value(for: []) == nil)
    }

    @Test("byte table keeps canonically equivalent keys apart")
    func byteTableExactBytes() {
        var table = ByteStringTable()
        table.insert(Array("é".utf8), value: 1)  // U+00E9
        table.insert(Array("e\u{301}".utf8), value: 2)  // e + combining acute
        #expect(table.value(for: Array("é".utf8)) == 1)
        #expect(table.value(for: Array("e\u{301}".utf8)) == 2)
    }

    @Test("byte table lets the last insert of a key win")
    func byteTableOverwrite() {
        var table = ByteStringTable()
        table.insert([1, 2], value: 5)
        table.insert([1, 2], value: 7)
        #expect(table.value(for: [1, 2]) == 7)
        #expect(table.count == 1)
    }

    @Test("merge table keeps the first rule for a pair")
    func mergeTableFirstWins() {
        var table = MergeTable(minimumCapacity: 4)
        table.insertIfAbsent(left: 1, right: 2, rank: 0, result: 10)
        table.insertIfAbsent(left: 1, right: 2, rank: 3, result: 11)
        table.insertIfAbsent(left: 2, right: 1, rank: 1, result: 12)
        #expect(table.lookup(left: 1, right: 2)! == (0, 10))
        #expect(table.lookup(left: 2, right: 1)! == (1, 12))
        #expect(table.lookup(left: 1, right: 1) == nil)
    }

    @Test("heap pops in ascending order")
    func heapOrder() {
        var generator = SystemRandomNumberGenerator()
        let values = (0..<1000).map { _ in Int.random(in: -500...500, using: &generator) }
        var heap = MinimumHeap<Int>()
        values.forEach { heap.push($0) }
        var popped: [Int] = []
        while let value = heap.popMinimum() { popped.append(value) }
        #expect(popped == values.sorted())
        #expect(heap.isEmpty)
    }

    @Test("GPT-2 byte alphabet is a bijection")
    func byteLevelMapping() {
        #expect(Set(ByteLevelMapping.scalarForByte).count == 256)
        #expect(ByteLevelMapping.scalarForByte[0x20] == 0x120)  // space is Ġ
        #expect(ByteLevelMapping.scalarForByte[0x0A] == 0x10A)  // newline is Ċ
        #expect(ByteLevelMapping.scalarForByte[0x41] == 0x41)
        #expect(ByteLevelMapping.decode("Ġhi") == [0x20, 0x68, 0x69])
        #expect(ByteLevelMapping.decode("€") == nil)
    }

    @Test("UTF-8 repair replaces maximal subparts")
    func utf8Repair() {
        #expect(UTF8Repair.decode([0x61, 0xF0, 0x9F, 0x41]) == "a\u{FFFD}A")
        #expect(UTF8Repair.decode([0xC0, 0xAF]) == "\u{FFFD}\u{FFFD}")
        #expect(UTF8Repair.decode([0xE2, 0x82]) == "\u{FFFD}")
        #expect(UTF8Repair.firstInvalidOffset(in: Array("ok é".utf8)) == nil)
        #expect(UTF8Repair.firstInvalidOffset(in: [0x61, 0x62, 0xFF]) == 2)
        #expect(UTF8Repair.firstInvalidOffset(in: [0x61, 0xE2, 0x82]) == 1)
    }
}
