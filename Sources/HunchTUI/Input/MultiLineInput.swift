/// Joins input lines into one message: a line ending in `\` continues on the
/// next line, and a line starting with ``` opens a fenced block that runs until a
/// line starting with ``` closes it (the fences stay in the message).
public struct MultiLineInput: Sendable, Equatable {
    public private(set) var pending: [String] = []
    public private(set) var inFence = false

    public init() {}

    /// Whether earlier lines wait for the rest of the message.
    public var isContinuing: Bool { !pending.isEmpty }

    /// The prompt for the next line.
    public var prompt: String {
        if inFence { return "``` " }
        return pending.isEmpty ? "› " : "… "
    }

    /// Adds one line; returns the whole message when this line completes it.
    public mutating func add(_ line: String) -> String? {
        let isFence = line.trimmingPrefixSpaces.hasPrefix("```")
        if inFence {
            pending.append(line)
            guard isFence else { return nil }
            inFence = false
            return take()
        }
        if isFence {
            pending.append(line)
            inFence = true
            return nil
        }
        if line.hasSuffix("\\") {
            pending.append(String(line.dropLast()))
            return nil
        }
        pending.append(line)
        return take()
    }

    public mutating func reset() {
        pending = []
        inFence = false
    }

    private mutating func take() -> String {
        defer { pending = [] }
        return pending.joined(separator: "\n")
    }
}

extension String {
    fileprivate var trimmingPrefixSpaces: Substring { drop(while: { $0 == " " || $0 == "\t" }) }
}
