import Foundation
import HunchCore

/// `/save` and `/load`: a conversation as Markdown, with a JSON file next to it
/// (same name, `.json` extension) holding the messages and every speculation round.
public enum ConversationFile {
    struct Log: Codable {
        var target: String
        var draft: String?
        var messages: [ChatMessage]
        var rounds: [RoundLogEntry]
    }

    /// Returns the Markdown and JSON paths for `path` (`~` expanded). Rejects a `.json` name,
    /// which would make the two files the same.
    public static func paths(for path: String) throws(ConversationFileError) -> (markdown: String, json: String) {
        let expanded = (path as NSString).expandingTildeInPath
        let url = URL(fileURLWithPath: expanded)
        if url.pathExtension.lowercased() == "json" { throw .jsonName(path) }
        let json = (url.pathExtension.isEmpty ? url : url.deletingPathExtension()).appendingPathExtension("json")
        return (url.path, json.path)
    }

    /// Writes `session`'s conversation and round log; returns the two paths written.
    public static func save(_ session: ChatSession, to path: String) throws(ConversationFileError) -> (markdown: String, json: String) {
        let paths = try paths(for: path)
        let directory = URL(fileURLWithPath: paths.markdown).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .writeFailed(paths.markdown, "the directory \(directory) does not exist; create it or choose another path")
        }
        let markdown = markdownText(session.conversation, target: session.engine.targetName, draft: session.engine.draftName)
        let log = Log(target: session.engine.targetName, draft: session.engine.draftName, messages: session.conversation, rounds: session.roundLog)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try Data(markdown.utf8).write(to: URL(fileURLWithPath: paths.markdown))
            try encoder.encode(log).write(to: URL(fileURLWithPath: paths.json))
        } catch {
            let reason = (error as NSError).userInfo[NSUnderlyingErrorKey].map { "\($0)" } ?? error.localizedDescription
            throw .writeFailed(path, reason)
        }
        return paths
    }

    /// Returns the Markdown form: a `## System`, `## User` or `## Assistant` heading before each message.
    public static func markdownText(_ messages: [ChatMessage], target: String, draft: String?) -> String {
        var text = "# hunch chat\n\nTarget model: \(target)" + (draft.map { ", draft model: \($0)" } ?? "") + ".\n"
        for message in messages {
            text += "\n## \(message.role.rawValue.capitalized)\n\n\(message.content)\n"
        }
        return text
    }

    /// Reads a conversation saved by `save`: from the JSON file when it exists, else
    /// from the Markdown headings.
    public static func load(from path: String) throws(ConversationFileError) -> [ChatMessage] {
        let expanded = (path as NSString).expandingTildeInPath
        let jsonPath = expanded.hasSuffix(".json") ? expanded : (try? paths(for: path).json) ?? expanded
        if let data = FileManager.default.contents(atPath: jsonPath) {
            do {
                return try JSONDecoder().decode(Log.self, from: data).messages
            } catch {
                throw .malformed(jsonPath, "not a hunch chat log (\(error.localizedDescription))")
            }
        }
        guard let data = FileManager.default.contents(atPath: expanded) else { throw .notFound(path) }
        guard let text = String(data: data, encoding: .utf8) else { throw .malformed(path, "not UTF-8 text") }
        return try parseMarkdown(text, source: path)
    }

    static func parseMarkdown(_ text: String, source: String) throws(ConversationFileError) -> [ChatMessage] {
        var messages: [ChatMessage] = []
        var role: ChatRole?
        var body: [Substring] = []
        func finish() {
            guard let role else { return }
            var lines = body
            while lines.first?.isEmpty == true { lines.removeFirst() }
            while lines.last?.isEmpty == true { lines.removeLast() }
            messages.append(ChatMessage(role: role, content: lines.joined(separator: "\n")))
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("## "), let heading = ChatRole(rawValue: line.dropFirst(3).trimmingCharacters(in: .whitespaces).lowercased()) {
                finish()
                role = heading
                body = []
            } else if role != nil {
                body.append(line)
            }
        }
        finish()
        if messages.isEmpty { throw .malformed(source, "no '## User' or '## Assistant' headings found") }
        return messages
    }
}

public enum ConversationFileError: Error, Equatable, Sendable, CustomStringConvertible {
    case jsonName(String)
    case notFound(String)
    case malformed(String, String)
    case writeFailed(String, String)

    public var description: String {
        switch self {
        case .jsonName(let path): "'\(path)' ends in .json, which the round log uses; give a Markdown name such as chat.md"
        case .notFound(let path): "\(path): file not found"
        case .malformed(let path, let reason): "\(path): \(reason)"
        case .writeFailed(let path, let reason): "cannot write \(path): \(reason)"
        }
    }
}
