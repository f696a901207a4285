// libFuzzer entry point for the GGUF reader, built by scripts/fuzz-gguf together
// with the HunchCore GGUF, Support, Quant and Model sources.
//
// Every input is opened as a GGUF file from memory. When the reader accepts it,
// the target goes on through what a loader does next: the metadata summaries
// `hunch info` prints, the sizes of each tensor, the first and last row of each
// supported tensor, and the model configuration. Thrown errors are expected; a trap, an overflow or
// an out-of-bounds access is a bug that libFuzzer and AddressSanitizer report.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGGUF(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let file = try? GGUFFile(file: MappedFile(bytes: bytes, path: "fuzz.gguf")) else { return 0 }

    for key in file.metadataKeys {
        _ = file.metadata[key]?.summary
    }
    for tensor in file.tensors {
        _ = (tensor.elementCount, tensor.rowCount, tensor.rowByteCount)
        _ = file.data(of: tensor)
        guard tensor.type.isSupported, tensor.rowCount > 0 else { continue }
        _ = try? file.dequantizeRow(of: tensor, row: 0)
        _ = try? file.dequantizeRow(of: tensor, row: tensor.rowCount - 1)
        _ = try? file.dequantizeRow(of: tensor, row: tensor.rowCount)
    }
    _ = try? ModelConfig(gguf: file)
    return 0
}
