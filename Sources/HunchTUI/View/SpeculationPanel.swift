import HunchCore

/// One round as the speculation panel shows it: token texts with whitespace made visible.
public struct PanelRound: Sendable, Equatable {
    public var index: Int
    public var draftLength: Int
    public var accepted: [String]
    public var rejected: [String]
    /// The target's token, or nil when the reply ended inside the accepted prefix.
    public var target: String?
    public var targetKind: TargetTokenKind

    public init(index: Int, draftLength: Int, accepted: [String], rejected: [String], target: String?, targetKind: TargetTokenKind) {
        self.index = index
        self.draftLength = draftLength
        self.accepted = accepted
        self.rejected = rejected
        self.target = target
        self.targetKind = targetKind
    }

    /// Takes the round's tokens as `Tokenizer.pieceText` shows them (`·` for a space, `↵`, `⇥`, `<0xNN>`).
    public init(_ round: SpeculationRound, tokenizer: Tokenizer) {
        self.init(
            index: round.index, draftLength: round.draftLength,
            accepted: round.drafted[..<round.acceptedCount].map { tokenizer.pieceText($0.id) },
            rejected: round.rejected.map { tokenizer.pieceText($0.id) },
            target: round.targetToken.map { tokenizer.pieceText($0) },
            targetKind: round.targetTokenKind
        )
    }
}

/// The speculation panel's content: one entry per round, newest last, with a
/// heading before each reply.
public struct SpeculationPanel: Sendable, Equatable {
    public enum Entry: Sendable, Equatable {
        case heading(String)
        case round(PanelRound)
    }

    /// Rounds kept for display; older ones are dropped (the /save log keeps all).
    public static let capacity = 2000

    public private(set) var entries: [Entry] = []

    public init() {}

    public mutating func append(_ entry: Entry) {
        entries.append(entry)
        if entries.count > Self.capacity { entries.removeFirst(entries.count - Self.capacity) }
    }

    public mutating func removeAll() { entries.removeAll() }

    /// Returns the entries wrapped to `width` columns. A round reads `#INDEX K:` then its
    /// accepted, rejected and target tokens separated by spaces, each in its role's colour.
    public func lines(width: Int) -> [StyledLine] {
        var lines: [StyledLine] = []
        for entry in entries {
            switch entry {
            case .heading(let text):
                lines.append(StyledLine(TextWidth.prefix(of: "── " + text + " " + String(repeating: "─", count: width), fitting: width), .border))
            case .round(let round):
                lines.append(contentsOf: Self.lines(of: round, width: width))
            }
        }
        return lines
    }

    static func lines(of round: PanelRound, width: Int) -> [StyledLine] {
        let label = round.targetKind == .plain ? "#\(round.index) " : "#\(round.index) K\(round.draftLength) "
        let labelWidth = TextWidth.columns(of: label)
        var flow = SpanFlow(width: width, indent: min(labelWidth, width / 3), first: StyledLine(label, .border))
        for text in round.accepted { flow.append(StyledSpan(text, .accepted), separatedBy: " ") }
        for text in round.rejected { flow.append(StyledSpan(text, .rejected), separatedBy: " ") }
        if let target = round.target { flow.append(StyledSpan(target, .correction), separatedBy: " ") }
        return flow.lines
    }
}
