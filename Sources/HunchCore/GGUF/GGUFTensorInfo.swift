/// Where one tensor lives in a GGUF file and what it holds.
public struct GGUFTensorInfo: Sendable, Equatable {
    public let name: String
    /// Dimensions in GGML order: `dimensions[0]` is the contiguous row length,
    /// so a weight of shape `[rows, columns]` in PyTorch is `[columns, rows]` here.
    public let dimensions: [Int]
    /// The element type. A file with a type id hunch does not know is rejected when opened.
    public let type: GGMLType
    /// Byte offset of the data from the start of the file's data section.
    public let dataOffset: Int
    /// Bytes of data, from the type's block layout.
    public let byteCount: Int

    public var elementCount: Int { dimensions.reduce(1, *) }
    /// Elements per row (`dimensions[0]`).
    public var rowLength: Int { dimensions.first ?? 1 }
    /// Rows: the product of all dimensions after the first.
    public var rowCount: Int { dimensions.dropFirst().reduce(1, *) }
    /// Bytes of one row in the file's encoding.
    public var rowByteCount: Int {
        let layout = type.blockLayout
        return rowLength / layout.elements * layout.bytes
    }
}
