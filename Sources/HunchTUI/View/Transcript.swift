/// The chat pane's content: what the user typed, the replies, and notes, in order.
///
/// This is the display; the conversation sent to the model is `ChatSession.messages`.
public struct Transcript: Sendable, Equatable {
    public enum Entry: Sendable, Equatable {
        case user(String)
        case assistant(String)
        case notice(String, ColorRole)
    }

    public private(set) var entries: [Entry] = []

    public init() {}

    public mutating func appendUser(_ text: String) { entries.append(.user(text)) }
    public mutating func appendNotice(_ text: String, role: ColorRole = .notice) { entries.append(.notice(text, role)) }

    /// Starts an empty reply that `appendReplyText` extends.
    public mutating func beginReply() { entries.append(.assistant("")) }

    /// Adds streamed text to the last reply.
    public mutating func appendReplyText(_ text: String) {
        guard case .assistant(let sofar)? = entries.last else {
            entries.append(.assistant(text))
            return
        }
        entries[entries.count - 1] = .assistant(sofar + text)
    }

    public mutating func removeAll() { entries.removeAll() }

    /// Prefix of user messages; continuation lines are indented by its width.
    static let userPrefix = "› "

    /// Returns the entries wrapped to `width` columns, with a blank line between entries.
    public func lines(width: Int) -> [StyledLine] {
        var lines: [StyledLine] = []
        for (index, entry) in entries.enumerated() {
            if index > 0 { lines.append(StyledLine()) }
            switch entry {
            case .user(let text):
                let indent = TextWidth.columns(of: Self.userPrefix)
                for (row, line) in TextWidth.wrap(text, width: width - indent).enumerated() {
                    let lead = row == 0 ? Self.userPrefix : String(repeating: " ", count: indent)
                    lines.append(StyledLine([StyledSpan(lead, .user), StyledSpan(line, .user)]))
                }
            case .assistant(let text):
                for line in TextWidth.wrap(text, width: width) {
                    lines.append(StyledLine(line, .assistant))
                }
            case .notice(let text, let role):
                for line in TextWidth.wrap(text, width: width) {
                    lines.append(StyledLine(line, role))
                }
            }
        }
        return lines
    }
}

/// How far a pane is scrolled back from its newest line.
public struct ScrollPosition: Sendable, Equatable {
    /// Lines between the bottom of the view and the last line; 0 follows new text.
    public var linesFromBottom = 0
    /// Line count at the last `visible` call, to keep a scrolled-back view still while lines arrive.
    private var lastLineCount: Int?

    public init() {}

    /// Returns the lines of `lines` that a view of `height` rows shows, and clamps
    /// the position to the content. A view scrolled back stays on the same lines
    /// when new lines arrive at the end.
    public mutating func visible(_ lines: [StyledLine], height: Int) -> ArraySlice<StyledLine> {
        if linesFromBottom > 0, let last = lastLineCount, lines.count > last {
            linesFromBottom += lines.count - last
        }
        lastLineCount = lines.count
        let maximum = max(lines.count - height, 0)
        linesFromBottom = min(max(linesFromBottom, 0), maximum)
        let end = lines.count - linesFromBottom
        return lines[max(end - height, 0)..<end]
    }

    /// Scrolls by `pages` views of `height` rows (positive is back in time),
    /// keeping one line of overlap.
    public mutating func scroll(pages: Int, height: Int) {
        linesFromBottom = max(linesFromBottom + pages * max(height - 1, 1), 0)
    }
}
