/// A store's byte budget that recordings in flight reserve what they keep from, as they keep it
/// (``ExchangeRecorder``), so that however many record at once, they and what the store keeps
/// stay within it: ``ExchangeMemoStore``, and the replay's store of recorded sessions.
package protocol RecordingBudget: AnyObject, Sendable {
    /// Reserves `wanted` bytes for a recording in flight if that much is left, else what is left if
    /// that is at least `needed`. Returns the bytes reserved: 0 if not even `needed` is left.
    func reserve(_ needed: Int, wanting wanted: Int) -> Int

    /// Gives back `bytes` a recording reserved and will not keep.
    func release(_ bytes: Int)
}
