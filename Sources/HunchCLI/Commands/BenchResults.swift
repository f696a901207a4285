import HunchCore

/// One way of decoding that `hunch bench` measures.
enum BenchConfiguration: Equatable, Hashable, Sendable {
    /// The target model without a draft: the baseline of the speed-up.
    case targetAlone
    /// A fixed draft length K.
    case fixed(Int)
    /// `--draft-len auto` with the engine's measured cost model.
    case auto
    /// `--draft-len auto` with the Hugging Face rule: K + 2 after a round that accepted
    /// every draft token, K - 1 otherwise.
    case heuristic

    /// Name in the table, the CSV and the JSON.
    var name: String {
        switch self {
        case .targetAlone: "target alone"
        case .fixed(let k): "K=\(k)"
        case .auto: "auto"
        case .heuristic: "heuristic"
        }
    }

    /// The draft length the engine is given, or nil for the target alone.
    var draftLength: DraftLengthSetting? {
        switch self {
        case .targetAlone: nil
        case .fixed(let k): .fixed(k)
        case .auto, .heuristic: .auto
        }
    }

    static let defaultList = "1,2,3,4,6,8,auto,heuristic"

    /// Parses a comma-separated list of draft lengths, `auto` and `heuristic`, keeping the
    /// first of any repeats. Throws a usage error that names the first invalid item.
    static func parseList(_ text: String) throws(UsageError) -> [BenchConfiguration] {
        var list: [BenchConfiguration] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let word = item.trimmingCharacters(in: .whitespaces).lowercased()
            let configuration: BenchConfiguration
            if word == "heuristic" {
                configuration = .heuristic
            } else {
                do {
                    switch try DraftLengthSetting(parsing: word) {
                    case .auto: configuration = .auto
                    case .fixed(let k): configuration = .fixed(k)
                    }
                } catch {
                    throw .invalidValue(
                        option: "--draft-lens", value: String(item),
                        expected: "a comma-separated list of draft lengths 1 to \(DraftLengthSetting.maximum), auto and heuristic")
                }
            }
            if !list.contains(configuration) { list.append(configuration) }
        }
        return list
    }
}

/// The totals of one configuration over all prompts.
struct BenchResult: Equatable, Sendable {
    let configuration: BenchConfiguration
    /// Sums over the prompts; rates are total tokens over total seconds.
    let stats: GenerationStats
    /// Generated token ids, one array per prompt.
    let outputs: [[Int]]
}


/// A finished bench run: what was run and each configuration's totals, with the renderings.
struct BenchReport {
    let targetName: String
    let draftName: String?
    let promptCount: Int
    let maxTokens: Int
    let threadCount: Int
    /// The target-alone result comes first when it was run.
    let results: [BenchResult]

    /// The target alone's outputs and decode speed, the reference of the last two columns.
    var baseline: BenchResult? { results.first { $0.configuration == .targetAlone } }

    /// Decode speed relative to the target alone in this run, or nil without a baseline.
    func speedup(_ result: BenchResult) -> Double? {
        guard let baseline, baseline.stats.decodeTokensPerSecond > 0 else { return nil }
        return result.stats.decodeTokensPerSecond / baseline.stats.decodeTokensPerSecond
    }

    /// Prompts whose output equals the target alone's, or nil for the baseline itself and without one.
    func identicalOutputs(_ result: BenchResult) -> Int? {
        guard let baseline, result.configuration != .targetAlone else { return nil }
        return zip(result.outputs, baseline.outputs).filter { $0 == $1 }.count
    }

    // MARK: - Table

    static let tableHeader = [
        "configuration", "decode tok/s", "acceptance", "mean accepted", "speed-up", "identical", "prompt tok/s",
    ]

    /// Formats the text table: one row per configuration, then a line on what was measured.
    func table() -> String {
        var rows = [Self.tableHeader]
        for result in results {
            let stats = result.stats
            let drafts = result.configuration != .targetAlone
            rows.append([
                result.configuration.name,
                EngineOptions.fixed(stats.decodeTokensPerSecond, digits: 1),
                drafts ? GenerationReport.percent(stats.acceptanceRate) : "-",
                drafts ? EngineOptions.fixed(stats.meanAcceptedLength, digits: 2) : "-",
                speedup(result).map { EngineOptions.fixed($0, digits: 2) + "x" } ?? "-",
                identicalOutputs(result).map { "\($0)/\(promptCount)" } ?? "-",
                EngineOptions.fixed(stats.promptTokensPerSecond, digits: 1),
            ])
        }
        let widths = Self.tableHeader.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        var text = ""
        for row in rows {
            // The first column is left-aligned, the numbers right-aligned.
            let cells = row.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 ? cell + padding : padding + cell
            }
            text += cells.joined(separator: "  ") + "\n"
        }
        text += "\(promptCount) prompt\(promptCount == 1 ? "" : "s"), up to \(maxTokens) tokens each, greedy, \(threadCount) threads; target \(targetName)"
        text += draftName.map { ", draft \($0)" } ?? ""
        text += ". Speed-up is the decode speed over the target alone's in this run; "
            + "identical counts the prompts whose tokens equal the target alone's.\n"
        return text
    }

    // MARK: - Raw numbers

    static let csvHeader = [
        "configuration", "prompts", "prompt_tokens", "prompt_seconds", "prompt_tokens_per_second",
        "generated_tokens", "decode_seconds", "decode_tokens_per_second", "rounds", "drafted", "accepted",
        "acceptance_rate", "mean_accepted_length", "speedup", "identical_outputs",
    ]

    /// Returns a configuration's raw numbers in the order of `csvHeader`, with nil where a number does not apply.
    func fields(_ result: BenchResult) -> [String?] {
        let stats = result.stats
        let drafts = result.configuration != .targetAlone
        return [
            JSON.quoted(result.configuration.name), "\(promptCount)",
            "\(stats.promptTokens)", JSON.number(stats.promptSeconds), JSON.number(stats.promptTokensPerSecond),
            "\(stats.generatedTokens)", JSON.number(stats.decodeSeconds), JSON.number(stats.decodeTokensPerSecond),
            drafts ? "\(stats.rounds)" : nil, drafts ? "\(stats.drafted)" : nil, drafts ? "\(stats.accepted)" : nil,
            drafts ? JSON.number(stats.acceptanceRate) : nil, drafts ? JSON.number(stats.meanAcceptedLength) : nil,
            speedup(result).map(JSON.number), identicalOutputs(result).map(String.init),
        ]
    }

    /// CSV with a header row; a number that does not apply is an empty field.
    func csv() -> String {
        var text = Self.csvHeader.joined(separator: ",") + "\n"
        for result in results {
            text += fields(result).map { $0 ?? "" }.joined(separator: ",") + "\n"
        }
        return text
    }

    /// Formats one JSON object on one line, with null where a number does not apply.
    func json() -> String {
        let configurations = results.map { result in
            JSON.object(zip(Self.csvHeader, fields(result)).map { ($0, $1 ?? "null") })
        }
        return JSON.object([
            ("target", JSON.quoted(targetName)),
            ("draft", draftName.map(JSON.quoted) ?? "null"),
            ("prompts", "\(promptCount)"),
            ("max_tokens", "\(maxTokens)"),
            ("threads", "\(threadCount)"),
            ("configurations", JSON.array(configurations)),
        ])
    }
}
