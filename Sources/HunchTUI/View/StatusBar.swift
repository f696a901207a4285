import Foundation
import HunchCore

/// What the status bar shows.
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

    /// The fields in the order they are dropped last to first when the bar is too narrow.
    public var fields: [String] {
        var fields: [String] = []
        let models = draftName.map { "\(targetName) ⇐ \($0)" } ?? "\(targetName) (no draft)"
        fields.append(models)
        if draftName != nil {
            switch draftLength {
            case .fixed(let k): fields.append("K \(k)")
            case .auto: fields.append("K auto" + (latestDraftLength.map { " (\($0))" } ?? ""))
            }
            fields.append(String(format: "accept %.0f%%", stats.acceptanceRate * 100))
            fields.append(String(format: "mean %.2f", stats.meanAcceptedLength))
        }
        fields.append(String(format: "%.1f tok/s", stats.decodeTokensPerSecond))
        if draftName != nil {
            fields.append(stats.estimatedSpeedup.map { String(format: "≈%.2fx target", $0) } ?? "speed-up n/a")
        }
        fields.append("ctx \(contextUsed)/\(contextLength)")
        return fields
    }

    /// The bar for `width` columns: the message, then as many fields as fit, by priority.
    public func line(width: Int) -> StyledLine {
        let separator = " │ "
        var spans: [StyledSpan] = [StyledSpan(isGenerating ? " ● " : " ", .status)]
        if let message {
            spans.append(StyledSpan(message, messageIsError ? .error : .status))
            spans.append(StyledSpan(separator, .status))
        }
        // The model names come first and the context last; middle fields that do not fit are left out.
        let all = fields
        let separatorWidth = TextWidth.columns(of: separator)
        let lastWidth = TextWidth.columns(of: all[all.count - 1]) + separatorWidth
        var used = StyledLine(spans).columns + TextWidth.columns(of: all[0])
        var kept = [all[0]]
        for field in all.dropFirst().dropLast() {
            let cost = separatorWidth + TextWidth.columns(of: field)
            if used + cost + lastWidth <= width {
                kept.append(field)
                used += cost
            }
        }
        if used + lastWidth <= width { kept.append(all[all.count - 1]) }
        spans.append(StyledSpan(kept.joined(separator: separator), .status))
        return StyledLine(spans).clipped(to: width)
    }
}
