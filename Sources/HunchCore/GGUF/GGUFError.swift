/// Everything that can be wrong with a GGUF file, with the values involved.
///
/// Offsets are byte offsets from the start of the file. The wording users see
/// is produced in one place, `description`.
public enum GGUFError: Error, Equatable, Sendable {
    case fileNotFound(path: String)
    case cannotOpen(path: String, reason: String)
    case notARegularFile(path: String)
    case badMagic(found: UInt32)
    case unsupportedVersion(found: UInt32)
    /// A read of `needed` bytes for `field` at `offset` ran past the end of the file.
    case truncated(field: String, offset: Int, needed: Int, available: Int)
    /// A count or length in the file exceeds what the rest of the file could hold.
    case countTooLarge(field: String, count: UInt64, limit: UInt64)
    case invalidUTF8(field: String, offset: Int)
    case duplicateKey(key: String)
    case unknownValueType(key: String, rawType: UInt32)
    case nestingTooDeep(key: String, depth: Int)
    case invalidAlignment(value: Int)
    case duplicateTensor(name: String)
    case invalidDimensionCount(tensor: String, count: UInt32, maximum: Int)
    case invalidDimension(tensor: String, index: Int, value: UInt64)
    case elementCountOverflow(tensor: String, dimensions: [UInt64])
    case unknownTensorType(tensor: String, rawType: UInt32)
    case unsupportedTensorType(tensor: String, type: String)
    case rowNotMultipleOfBlock(tensor: String, type: String, rowLength: Int, blockSize: Int)
    case misalignedTensorOffset(tensor: String, offset: UInt64, alignment: Int)
    case tensorDataOutOfBounds(tensor: String, offset: UInt64, byteCount: UInt64, dataSize: UInt64)
    case overlappingTensors(first: String, second: String)
    case missingKey(key: String)
    case wrongValueType(key: String, expected: String, found: String)
    case invalidValue(key: String, value: String, reason: String)
    case missingTensor(name: String)
    case wrongTensorShape(tensor: String, expected: [Int], found: [Int])
    /// A row index past the end of a tensor, such as a token id outside the vocabulary.
    case rowOutOfRange(tensor: String, row: Int, rowCount: Int)
}

extension GGUFError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "model file not found: \(path). Check the path, or run `hunch fetch` to download the default models."
        case .cannotOpen(let path, let reason):
            return "cannot open \(path): \(reason)."
        case .notARegularFile(let path):
            return "\(path) is not a regular file; pass the path of a .gguf file."
        case .badMagic(let found):
            let hex = String(found, radix: 16, uppercase: true)
            return "not a GGUF file: the first 4 bytes are 0x\(hex), expected \"GGUF\" (0x46554747)."
        case .unsupportedVersion(let found):
            return "unsupported GGUF version \(found); hunch reads versions 2 and 3. Convert the model again with a current llama.cpp."
        case .truncated(let field, let offset, let needed, let available):
            return "GGUF file is truncated: reading \(field) at byte \(offset) needs \(needed) bytes but only \(available) remain. The download may be incomplete."
        case .countTooLarge(let field, let count, let limit):
            return "invalid or truncated GGUF file: \(field) is \(count), more than the \(limit) the file could hold. "
                + "The download may be incomplete."
        case .invalidUTF8(let field, let offset):
            return "invalid GGUF file: \(field) at byte \(offset) is not valid UTF-8."
        case .duplicateKey(let key):
            return "invalid GGUF file: metadata key \"\(key)\" appears twice."
        case .unknownValueType(let key, let rawType):
            return "invalid GGUF file: metadata key \"\(key)\" has unknown value type \(rawType) (known: 0-12)."
        case .nestingTooDeep(let key, let depth):
            return "invalid GGUF file: metadata key \"\(key)\" nests arrays \(depth) deep."
        case .invalidAlignment(let value):
            return "invalid GGUF file: general.alignment is \(value), expected a power of two from 1 to 65536."
        case .duplicateTensor(let name):
            return "invalid GGUF file: tensor \"\(name)\" appears twice."
        case .invalidDimensionCount(let tensor, let count, let maximum):
            return "invalid GGUF file: tensor \"\(tensor)\" has \(count) dimensions, expected 1 to \(maximum)."
        case .invalidDimension(let tensor, let index, let value):
            return "invalid GGUF file: dimension \(index) of tensor \"\(tensor)\" is \(value)."
        case .elementCountOverflow(let tensor, let dimensions):
            return "invalid GGUF file: the dimensions \(dimensions) of tensor \"\(tensor)\" overflow a 64-bit element count."
        case .unknownTensorType(let tensor, let rawType):
            return "tensor \"\(tensor)\" has unknown type id \(rawType). hunch supports \(GGMLType.supportedNames)."
        case .unsupportedTensorType(let tensor, let type):
            return "tensor \"\(tensor)\" has type \(type), which hunch does not support. Supported types: \(GGMLType.supportedNames). Re-quantise the model, for example to Q8_0 or Q4_K_M."
        case .rowNotMultipleOfBlock(let tensor, let type, let rowLength, let blockSize):
            return "invalid GGUF file: tensor \"\(tensor)\" of type \(type) has rows of \(rowLength) elements, not a multiple of the block size \(blockSize)."
        case .misalignedTensorOffset(let tensor, let offset, let alignment):
            return "invalid GGUF file: tensor \"\(tensor)\" starts at data offset \(offset), not a multiple of the alignment \(alignment)."
        case .tensorDataOutOfBounds(let tensor, let offset, let byteCount, let dataSize):
            return "GGUF file is truncated or invalid: tensor \"\(tensor)\" needs bytes \(offset)..<\(offset &+ byteCount) of the data section, which holds \(dataSize) bytes."
        case .overlappingTensors(let first, let second):
            return "invalid GGUF file: the data of tensors \"\(first)\" and \"\(second)\" overlap."
        case .missingKey(let key):
            return "the model is missing metadata key \"\(key)\"."
        case .wrongValueType(let key, let expected, let found):
            return "metadata key \"\(key)\" has type \(found), expected \(expected)."
        case .invalidValue(let key, let value, let reason):
            return "metadata key \"\(key)\" has invalid value \(value): \(reason)."
        case .missingTensor(let name):
            return "the model is missing tensor \"\(name)\"."
        case .wrongTensorShape(let tensor, let expected, let found):
            return "tensor \"\(tensor)\" has shape \(found), expected \(expected) from the model's metadata."
        case .rowOutOfRange(let tensor, let row, let rowCount):
            return "row \(row) is out of range for tensor \"\(tensor)\", which has \(rowCount) rows."
        }
    }
}
