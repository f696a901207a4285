/// The kind of a piece of text on screen, which the theme maps to a colour.
public enum ColorRole: String, Sendable, CaseIterable, Codable {
    /// Draft tokens the target accepted.
    case accepted
    /// Draft tokens the target rejected.
    case rejected
    /// The target's own token at the end of a round (correction or bonus).
    case correction
    /// Text the user typed.
    case user
    /// The model's reply.
    case assistant
    /// The status bar.
    case status
    /// Pane borders, titles and round labels.
    case border
    /// Error messages.
    case error
    /// Notes in the chat pane (stopped replies, command output).
    case notice
    /// Plain text with the terminal's own colours.
    case normal
}

/// A run of text drawn in one role.
public struct StyledSpan: Sendable, Equatable {
    public var text: String
    public var role: ColorRole

    public init(_ text: String, _ role: ColorRole) {
        self.text = text
        self.role = role
    }

    public var columns: Int { TextWidth.columns(of: text) }
}

/// One screen line made of styled runs.
public struct StyledLine: Sendable, Equatable {
    public var spans: [StyledSpan]

    public init(_ spans: [StyledSpan] = []) {
        self.spans = spans
    }

    public init(_ text: String, _ role: ColorRole) {
        spans = [StyledSpan(text, role)]
    }

    public var text: String { spans.map(\.text).joined() }
    public var columns: Int { spans.reduce(0) { $0 + $1.columns } }

    /// Returns the line cut to at most `width` columns.
    public func clipped(to width: Int) -> StyledLine {
        var result = StyledLine()
        var left = width
        for span in spans {
            guard left > 0 else { break }
            let spanWidth = span.columns
            if spanWidth <= left {
                result.spans.append(span)
                left -= spanWidth
            } else {
                result.spans.append(StyledSpan(TextWidth.prefix(of: span.text, fitting: left), span.role))
                left = 0
            }
        }
        return result
    }
}

/// Lays out `items` (tokens, words) into lines of at most `width` columns, keeping each
/// item whole when it fits on a line and splitting it by characters when it does not.
/// Continuation lines start with `indent` columns of spaces.
struct SpanFlow {
    let width: Int
    let indent: Int
    private(set) var lines: [StyledLine] = [StyledLine()]
    private var used = 0

    init(width: Int, indent: Int, first: StyledLine = StyledLine()) {
        self.width = max(width, 1)
        self.indent = min(indent, max(width - 1, 0))
        lines = [first]
        used = first.columns
    }

    mutating func append(_ span: StyledSpan, separatedBy separator: String = "") {
        let needed = TextWidth.columns(of: separator) + span.columns
        if used > indent, used + needed > width {
            newLine()
        } else if used > 0, !separator.isEmpty, used > indent {
            add(StyledSpan(separator, .normal))
        }
        var rest = span.text
        while !rest.isEmpty {
            let room = width - used
            let piece = TextWidth.prefix(of: rest, fitting: room)
            if piece.isEmpty {
                if used <= indent {
                    // Not even one character fits after the indent: place it anyway.
                    let first = String(rest.first!)
                    add(StyledSpan(first, span.role))
                    rest.removeFirst()
                }
                newLine()
                continue
            }
            add(StyledSpan(piece, span.role))
            rest.removeFirst(piece.count)
            if !rest.isEmpty { newLine() }
        }
    }

    private mutating func add(_ span: StyledSpan) {
        lines[lines.count - 1].spans.append(span)
        used += span.columns
    }

    private mutating func newLine() {
        lines.append(StyledLine(indent > 0 ? [StyledSpan(String(repeating: " ", count: indent), .normal)] : []))
        used = indent
    }
}
