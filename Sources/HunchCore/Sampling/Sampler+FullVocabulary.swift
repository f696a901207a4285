import Foundation

/// Top-p and min-p over the whole vocabulary, for top-k 0, without sorting it.
extension Sampler {
    /// Returns the survivors of top-p and min-p (before the exact min-p cut) in rank order,
    /// over every logit of `logits` with the penalised values in `patches` (ascending ids)
    /// put in place. `maximum` is the largest of those logits.
    ///
    /// Min-p alone is a logit threshold, maximum + ln(minP), so its survivors are gathered
    /// by one vector compare. Top-p needs the total mass Σ e^(logit - maximum), which takes
    /// one SIMD pass, and then only the tokens near the top. The gather threshold starts at
    /// maximum - 8 (tokens at least e^-8 as likely as the best). It widens to maximum - 16,
    /// - 32, - 64 and finally to every finite logit until the gathered tokens contain topP
    /// of the mass. Only the gathered tokens are sorted, so a peaked distribution costs
    /// three passes over the vocabulary (maximum, total mass, gather) and a short sort.
    /// Without top-p and min-p every finite logit is gathered and sorted.
    func fullVocabularyCandidates(
        logits: UnsafeBufferPointer<Float>, patches: [Candidate], maximum: Float
    ) -> [Candidate] {
        let minPFloor = minPGatherFloor(maximum: maximum)
        guard settings.topP < 1 else {
            return gatherSorted(logits, patches: patches, atLeast: minPFloor)
        }

        let total = LogitKernels.sumExp(logits, patches: patches, maximum: maximum)
        var delta: Float = 8
        while true {
            let wholeRange = delta > 87
            let floor = wholeRange ? minPFloor : max(minPFloor, maximum - delta)
            let candidates = gatherSorted(logits, patches: patches, atLeast: floor)
            if let length = Self.nucleusLength(of: candidates, topP: settings.topP, total: total) {
                return Array(candidates.prefix(length))
            }
            // Either min-p already cuts at this floor or every finite logit was gathered.
            // Both mean the result is shorter than the nucleus, so it is returned whole.
            if wholeRange || floor == minPFloor {
                return candidates
            }
            delta *= 2
        }
    }

    /// Returns the lowest logit that can survive min-p, rounded down so that every token
    /// passing the exact Double check in `minPPrefix` is gathered. Without min-p it is the
    /// lowest finite Float.
    private func minPGatherFloor(maximum: Float) -> Float {
        guard settings.minP > 0 else { return -.greatestFiniteMagnitude }
        let floor = Float(Double(maximum) + Foundation.log(Double(settings.minP)))
        return max(floor.nextDown, -.greatestFiniteMagnitude)
    }

    private func gatherSorted(
        _ logits: UnsafeBufferPointer<Float>, patches: [Candidate], atLeast floor: Float
    ) -> [Candidate] {
        var candidates = LogitKernels.candidates(logits, patches: patches, atLeast: floor)
        CandidateSelection.sortAscendingIDsByRank(&candidates)
        return candidates
    }
}
