import Foundation
import HunchCore

/// The content of the status bar.
public struct StatusInfo: Sendable, Equatable {
    public var targetName: String
    public var draftName: String?
    public var draftLength: DraftLengthSetting
    /// K of the latest round, which auto mode chose.
    public var latestDraftLength: Int?
    /// Stats of the reply in progress or the last one.
    public var stats: GenerationStats
    public var contextUsed: Int
    public var contextLength: Int
    public var isGenerating: Bool
    /// A one-line message (a command's result or an error) shown before the stats.
    public var message: String?
    public var messageIsError: Bool

    public init(targetName: String, draftName: String?, draftLength: DraftLengthSetting, contextLength: Int) {
        self.targetName = targetName
        self.draftName = draftName
        self.draftLength = draftLength
        self.stats = GenerationStats()
        self.contextUsed = 0
        self.contextLength = contextLength
        self.isGenerating = false
        self.messageIsError = false
    }

    /// The model names: the target, and the draft after `⇐`.
    public var modelNames: String {
        draftName.map { "\(targetName) ⇐ \($0)" } ?? "\(targetName) (no draft)"
    }

    /// The figures after the model names, in display order, each with its rank:
    /// when the bar is too narrow, the highest rank number is left out first.
    public var fields: [(text: String, rank: Int)] {
        var fields: [(String, Int)] = []
        if draftName != nil {
            switch draftLength {
            case .fixed(let k): fields.append(("K \(k)", 0))
            case .auto: fields.append(("K auto" + (latestDraftLength.map { " (\($0))" } ?? ""), 0))
            }
            fields.append((String(format: "accept %.0f%%", stats.acceptanceRate * 100), 1))
            fields.append((String(format: "mean %.2f", stats.meanAcceptedLength), 5))
        }
        fields.append((String(format: "%.1f tok/s", stats.decodeTokensPerSecond), 2))
        if draftName != nil {
            fields.append((stats.estimatedSpeedup.map { String(format: "≈%.2fx target", $0) } ?? "speed-up n/a", 3))
        }
        fields.append(("ctx \(contextUsed)/\(contextLength)", 4))
        return fields
    }

    /// Returns the bar for `width` columns: the message, the model names, then the figures.
    /// When they do not fit, figures are left out by rank and the names are cut with `…`.
    public func line(width: Int) -> StyledLine {
        let separator = " │ "
        let separatorWidth = TextWidth.columns(of: separator)
        var spans: [StyledSpan] = [StyledSpan(isGenerating ? " ● " : " ", .status)]
        if let message {
            // The message keeps at most two thirds of the bar, so the figures stay visible.
            let room = max(width * 2 / 3 - spans[0].columns, 1)
            let shown = TextWidth.columns(of: message) <= room ? message : TextWidth.prefix(of: message, fitting: room - 1) + "…"
            spans.append(StyledSpan(shown, messageIsError ? .error : .status))
            spans.append(StyledSpan(separator, .status))
        }
        let lead = StyledLine(spans).columns

        var kept = fields
        let names = modelNames
        let minimumNames = min(TextWidth.columns(of: names), 12)
        var room = 0
        while true {
            let figures = kept.reduce(0) { $0 + TextWidth.columns(of: $1.text) } + separatorWidth * max(kept.count - 1, 0)
            room = width - lead - figures - (kept.isEmpty ? 0 : separatorWidth)
            guard room < minimumNames, let drop = kept.indices.max(by: { kept[$0].rank < kept[$1].rank }) else { break }
            kept.remove(at: drop)
        }

        var parts: [String] = []
        if room >= 4 {
            parts.append(TextWidth.columns(of: names) <= room ? names : TextWidth.prefix(of: names, fitting: room - 1) + "…")
        }
        parts += kept.map(\.text)
        spans.append(StyledSpan(parts.joined(separator: separator), .status))
        return StyledLine(spans).clipped(to: width)
    }
}
