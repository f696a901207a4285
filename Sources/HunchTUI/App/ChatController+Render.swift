extension ChatController {
    /// Rows the input area needs at `width` columns: waiting lines of a multi-line message (up to 3) and the edited line.
    func inputLines(width: Int) -> (lines: [StyledLine], cursor: (row: Int, column: Int)?) {
        if isGenerating {
            return ([StyledLine("generating: +/- change K, a auto K, Ctrl-C stop, Tab/PgUp/PgDn scroll", .notice)], nil)
        }
        var lines = input.pending.suffix(3).map { StyledLine("  " + $0, .normal) }
        let edited = Self.wrapEditor(editor, width: width)
        let cursor = (row: lines.count + edited.cursor.row, column: edited.cursor.column)
        lines += edited.lines
        return (lines, cursor)
    }

    /// Hard-wraps the prompt and text at `width` columns and finds the cursor's cell.
    static func wrapEditor(_ editor: EditorDisplay, width: Int) -> (lines: [StyledLine], cursor: (row: Int, column: Int)) {
        let width = max(width, 2)
        let cursorByte = min(max(editor.cursorByte, 0), editor.text.utf8.count)
        let beforeCursor = String(decoding: editor.text.utf8.prefix(cursorByte), as: UTF8.self)
        let cursorCharacters = beforeCursor.count

        var lines = [StyledLine()]
        var used = 0
        var cursor = (row: 0, column: 0)
        func put(_ character: Character, _ role: ColorRole) {
            let characterWidth = TextWidth.columns(of: character)
            if used + characterWidth > width {
                lines.append(StyledLine())
                used = 0
            }
            let last = lines.count - 1
            if let span = lines[last].spans.last, span.role == role {
                lines[last].spans[lines[last].spans.count - 1].text.append(character)
            } else {
                lines[last].spans.append(StyledSpan(String(character), role))
            }
            used += characterWidth
        }
        for character in editor.prompt { put(character, .user) }
        for (index, character) in editor.text.enumerated() {
            if index == cursorCharacters { cursor = (lines.count - 1, used) }
            // Newlines inside the buffer (pasted text) show as ↵ on one line.
            switch character {
            case "\n": put("↵", .normal)
            case "\t": put("⇥", .normal)
            default: put(TextWidth.drawable(character), .normal)
            }
        }
        if cursorCharacters >= editor.text.count {
            cursor = used >= width ? (lines.count, 0) : (lines.count - 1, used)
            if used >= width { lines.append(StyledLine()) }
        }
        return (lines, cursor)
    }

    /// Draws the whole screen.
    public func render(on screen: Screen) {
        if themeNeedsApplying {
            screen.apply(theme)
            themeNeedsApplying = false
        }
        let size = screen.size
        let input = inputLines(width: size.columns)
        let layout = ScreenLayout(size: size, inputRows: input.lines.count, focus: focus)
        screen.clear()
        guard layout.mode != .tooSmall else {
            renderTooSmall(layout, on: screen)
            return
        }

        // Panes.
        if let title = layout.chatTitle, let body = layout.chat {
            let scrolled = chatScroll.linesFromBottom > 0 ? "  (scrolled back; PgDn returns)" : ""
            let hint = layout.mode == .singlePane ? "  Tab: speculation" : ""
            drawTitle(" Chat" + scrolled + hint, in: title, focused: focus == .chat, on: screen)
            let lines = transcript.lines(width: max(body.width - 1, 1))
            draw(chatScroll.visible(lines, height: body.height), in: body, indent: 1, on: screen)
            lastPaneHeight = body.height
        }
        if let title = layout.panelTitle, let body = layout.panel {
            let hint = layout.mode == .singlePane ? "  Tab: chat" : ""
            let legend = StyledLine([
                StyledSpan(" Speculation ", focus == .panel ? .status : .border),
                StyledSpan("accepted", .accepted), StyledSpan(" ", .border),
                StyledSpan("rejected", .rejected), StyledSpan(" ", .border),
                StyledSpan("target", .correction),
                StyledSpan(hint + (panelScroll.linesFromBottom > 0 ? "  (scrolled)" : ""), .border),
            ])
            screen.draw(legend, row: title.row, column: title.column, width: title.width, fill: focus == .panel ? .status : .border)
            let lines = panel.lines(width: max(body.width - 1, 1))
            draw(panelScroll.visible(lines, height: body.height), in: body, indent: 1, on: screen)
            lastPaneHeight = body.height
        }
        if let column = layout.borderColumn, let status = layout.status {
            for row in 0..<status.row {
                screen.draw(StyledLine("│", .border), row: row, column: column, width: 1, fill: .border)
            }
        }

        // Status bar and input.
        if let bar = layout.status {
            screen.draw(status.line(width: bar.width), row: bar.row, column: 0, width: bar.width, fill: .status)
        }
        if let area = layout.input {
            // Show the last rows of the input when it is taller than its area.
            let skipped = max(input.lines.count - area.height, 0)
            for (offset, line) in input.lines.dropFirst(skipped).enumerated() {
                screen.draw(line, row: area.row + offset, column: 0, width: area.width, fill: .normal)
            }
            if let cursor = input.cursor, cursor.row - skipped >= 0, cursor.row - skipped < area.height, !isHelpVisible {
                screen.placeCursor(row: area.row + cursor.row - skipped, column: min(cursor.column, area.width - 1))
            } else {
                screen.hideCursor()
            }
        }

        if isHelpVisible { renderHelp(on: screen) }
        screen.refresh()
    }

    private func drawTitle(_ text: String, in rect: Rect, focused: Bool, on screen: Screen) {
        let role: ColorRole = focused ? .status : .border
        screen.draw(StyledLine(text, role), row: rect.row, column: rect.column, width: rect.width, fill: role)
    }

    private func draw(_ lines: ArraySlice<StyledLine>, in rect: Rect, indent: Int, on screen: Screen) {
        for (offset, line) in lines.enumerated() {
            screen.draw(StyledLine([StyledSpan(String(repeating: " ", count: indent), .normal)] + line.spans),
                        row: rect.row + offset, column: rect.column, width: rect.width, fill: .normal)
        }
    }

    private func renderTooSmall(_ layout: ScreenLayout, on screen: Screen) {
        let size = layout.size
        let lines = TextWidth.wrap(layout.tooSmallMessage, width: max(size.columns, 1))
        for (row, line) in lines.prefix(max(size.rows, 0)).enumerated() {
            screen.draw(StyledLine(line, .error), row: row, column: 0, width: size.columns, fill: .normal)
        }
        screen.hideCursor()
        screen.refresh()
    }

    /// Draws the help overlay: a bordered box in the middle of the screen, scrolled by PgUp/PgDn.
    private func renderHelp(on screen: Screen) {
        let size = screen.size
        let content = HelpText.lines()
        let contentWidth = max(content.map { TextWidth.columns(of: $0) }.max() ?? 0, TextWidth.columns(of: HelpText.title))
        let width = min(contentWidth + 4, size.columns)
        let height = min(content.count + 2, size.rows)
        guard width >= 4, height >= 3 else { return }
        let top = (size.rows - height) / 2
        let left = (size.columns - width) / 2
        let inner = width - 4
        let rows = height - 2
        helpScroll = min(helpScroll, max(content.count - rows, 0))

        let title = TextWidth.prefix(of: HelpText.title, fitting: width - 2)
        let topBorder = "┌" + title + String(repeating: "─", count: width - 2 - TextWidth.columns(of: title)) + "┐"
        screen.draw(StyledLine(topBorder, .border), row: top, column: left, width: width, fill: .border)
        for row in 0..<rows {
            let index = helpScroll + row
            var text = index < content.count ? content[index] : ""
            if row == rows - 1, index < content.count - 1 { text = "… PgDn for more" }
            let cell = TextWidth.prefix(of: text, fitting: inner)
            let padding = String(repeating: " ", count: inner - TextWidth.columns(of: cell))
            let role: ColorRole = text == "Keys" || text == "Commands" ? .correction : .normal
            screen.draw(StyledLine([StyledSpan("│ ", .border), StyledSpan(cell + padding, role), StyledSpan(" │", .border)]),
                        row: top + 1 + row, column: left, width: width, fill: .normal)
        }
        let bottom = "└" + String(repeating: "─", count: width - 2) + "┘"
        screen.draw(StyledLine(bottom, .border), row: top + height - 1, column: left, width: width, fill: .border)
        screen.hideCursor()
    }
}
