import HunchCore

/// Shows the progress of model downloads on standard error: a bar redrawn in
/// place when standard error is a terminal, otherwise one line per step.
final class FetchProgressDisplay {
    private let console: Console
    private let interactive: Bool
    /// When the current model's download or hash started, for the MB/s figure.
    private var startedAt: ContinuousClock.Instant?
    /// Label at the end of the bar, e.g. "part 3/22" or "verifying".
    private var stage = ""
    private var lastDraw: ContinuousClock.Instant?
    private var barVisible = false

    /// Shortest time between two redraws, so a fast download does not flood the terminal.
    private let redrawInterval: Duration
    private static let barWidth = 24

    init(console: Console, redrawInterval: Duration = .milliseconds(100)) {
        self.console = console
        self.interactive = console.errorIsTerminal
        self.redrawInterval = redrawInterval
    }

    func handle(_ event: FetchEvent) {
        switch event {
        case .cached(let id, let path):
            line("\(id): cached at \(path)")
        case .verifying(let id, let path):
            startedAt = .now
            stage = "verifying"
            if !interactive { line("\(id): checking the SHA-256 of \(path)") }
        case .hashed(let id, let bytes, let total):
            bar(id: id, bytes: bytes, total: total, force: bytes == total)
        case .verified(let id, let path):
            line("\(id): SHA-256 matches (\(path))")
        case .replacing(let id, let reason):
            line("\(id): the cached copy is damaged (\(reason)); downloading it again")
        case .waitingForLock(let id, let lockPath):
            line("\(id): another hunch process is downloading this model; waiting for it (lock \(lockPath))")
        case .downloading(let id, let part, let count, let requirement):
            if !interactive {
                line("\(id): downloading part \(part)/\(count) (\(requirement))")
            } else if part == 1 {
                // Nothing is written until the first part arrives, so show what is happening meanwhile.
                startedAt = .now
                console.writeError("\r\u{1B}[K\(id): downloading \(count) part\(count == 1 ? "" : "s") with pip")
                barVisible = true
            }
        case .unpacking(_, let part, let count):
            stage = "part \(part)/\(count)"
        case .written(let id, let bytes, let total):
            bar(id: id, bytes: bytes, total: total, force: bytes == total)
        case .finished(let id, let path, let bytes, let seconds):
            let rate = seconds > 0 ? Double(bytes) / seconds / 1e6 : 0
            line("\(id): saved \(path) (\(Self.megabytes(bytes)) in \(Self.fixed(seconds)) s, \(Self.fixed(rate)) MB/s)")
        }
    }

    /// Ends a bar left on screen, before an error message is printed under it.
    func finish() {
        if barVisible {
            console.writeError("\n")
            barVisible = false
        }
    }

    // MARK: - Drawing

    private func line(_ text: String) {
        if barVisible {
            console.writeError("\r\u{1B}[K")
            barVisible = false
        }
        console.writeError(text + "\n")
    }

    private func bar(id: String, bytes: UInt64, total: UInt64, force: Bool) {
        guard interactive else { return }
        let now = ContinuousClock.now
        if !force, let lastDraw, now - lastDraw < redrawInterval { return }
        lastDraw = now

        let fraction = total > 0 ? min(1, Double(bytes) / Double(total)) : 0
        let filled = Int(fraction * Double(Self.barWidth))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: Self.barWidth - filled)
        var seconds = 0.0
        if let startedAt {
            let elapsed = now - startedAt
            seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        }
        let rate = seconds > 0 ? Double(bytes) / seconds / 1e6 : 0
        let text = "\(id) [\(bar)] \(Self.megabytes(bytes, unit: false))/\(Self.megabytes(total)) "
            + "\(Int(fraction * 100))% \(Self.fixed(rate)) MB/s" + (stage.isEmpty ? "" : " \(stage)")
        console.writeError("\r\u{1B}[K" + text)
        barVisible = true
    }

    /// Formats bytes as decimal megabytes with one decimal: "1117.3 MB", or "1117.3" without the unit.
    static func megabytes(_ bytes: UInt64, unit: Bool = true) -> String {
        let tenths = (bytes + 50_000) / 100_000
        return "\(tenths / 10).\(tenths % 10)" + (unit ? " MB" : "")
    }

    /// Formats a non-negative number with one decimal.
    static func fixed(_ value: Double) -> String {
        let tenths = Int((max(0, value) * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
