import Foundation
import Testing
@testable import HunchCore

/// Rows of the real models as decoded by gguf-py (scripts/make-dequant-fixtures.py).
struct RealModelRowsFixture: Decodable {
    struct Row: Decodable {
        let model: String
        let tensor: String
        let type: String
        let row: Int
        let expected: String
    }

    let generator: String
    let rows: [Row]
}

@Suite("Dequantisation of the real models")
struct DequantizeRealModelTests {
    /// Every row of the fixture, checked against hunch's decoding of the same file bit for bit.
    @Test("rows match gguf-py bit for bit")
    func rowsMatchReference() throws {
        let fixture = try Fixtures.decode(RealModelRowsFixture.self, from: "dequant/real-models.json")
        var files: [String: GGUFFile] = [:]
        var typesSeen: Set<String> = []

        for row in fixture.rows {
            let file = try files[row.model] ?? TestModels.open(row.model)
            files[row.model] = file
            let tensor = try #require(file.tensor(named: row.tensor), "\(row.model) has no tensor \(row.tensor)")
            #expect(tensor.type.name == row.type)
            typesSeen.insert(tensor.type.name)

            let actual = try file.dequantizeRow(of: tensor, row: row.row)
            let mismatches = bitMismatches(actual, try floatBits(fromHex: row.expected))
            #expect(mismatches.isEmpty, "\(row.model) \(row.tensor) row \(row.row): \(mismatches.joined(separator: "; "))")
        }
        // The fixture must cover each type the default models use.
        #expect(typesSeen == ["F32", "Q4_1", "Q8_0", "Q5_0", "Q4_K", "Q6_K"])
    }

    @Test("whole tensor equals its rows")
    func wholeTensorEqualsRows() throws {
        let file = try TestModels.open(TestModels.smolLM2)
        let tensor = try #require(file.tensor(named: "blk.0.ffn_down.weight"))
        #expect(tensor.type == .q4_1)
        #expect(tensor.dimensions == [1536, 576])

        let whole = try file.dequantize(tensor)
        #expect(whole.count == 1536 * 576)
        for row in [0, 1, 300, 575] {
            let single = try file.dequantizeRow(of: tensor, row: row)
            let slice = Array(whole[(row * 1536)..<((row + 1) * 1536)])
            #expect(bitMismatches(slice, single.map(\.bitPattern)).isEmpty, "row \(row)")
        }
    }

    @Test("embedding row out of range throws")
    func rowOutOfRange() throws {
        let file = try TestModels.open(TestModels.smolLM2)
        let embedding = try #require(file.tensor(named: "token_embd.weight"))
        #expect(throws: GGUFError.rowOutOfRange(tensor: "token_embd.weight", row: 49152, rowCount: 49152)) {
            try file.dequantizeRow(of: embedding, row: 49152)
        }
        #expect(throws: GGUFError.rowOutOfRange(tensor: "token_embd.weight", row: -1, rowCount: 49152)) {
            try file.dequantizeRow(of: embedding, row: -1)
        }
    }
}
