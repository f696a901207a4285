extension GenerationStats {
    /// Adds the counts and times of `other`, position by position for the per-position
    /// counts, to total several replies. The latest known target step time wins.
    public mutating func add(_ other: GenerationStats) {
        promptTokens += other.promptTokens
        promptSeconds += other.promptSeconds
        generatedTokens += other.generatedTokens
        decodeSeconds += other.decodeSeconds
        rounds += other.rounds
        drafted += other.drafted
        accepted += other.accepted
        draftSeconds += other.draftSeconds
        verifySeconds += other.verifySeconds
        for (index, count) in other.draftedAtPosition.enumerated() {
            if index == draftedAtPosition.count { draftedAtPosition.append(0) }
            draftedAtPosition[index] += count
        }
        for (index, count) in other.acceptedAtPosition.enumerated() {
            if index == acceptedAtPosition.count { acceptedAtPosition.append(0) }
            acceptedAtPosition[index] += count
        }
        if let step = other.targetStepSeconds { targetStepSeconds = step }
    }
}
