/// A linear axis from a data range: rounded bounds and 4 to 8 evenly spaced ticks.
struct ChartScale {
    let lower: Double
    let upper: Double
    let ticks: [Double]

    init(minimum: Double, maximum: Double) {
        var low = minimum.isFinite ? minimum : 0
        var high = maximum.isFinite ? maximum : 1
        if high <= low { high = low + 1 }
        let step = Self.niceStep((high - low) / 5)
        low = (low / step).rounded(.down) * step
        high = (high / step).rounded(.up) * step
        lower = low
        upper = high
        ticks = stride(from: low, through: high + step / 2, by: step).map { $0 }
    }

    /// Where `value` lies between the bounds, from 0 to 1.
    func fraction(_ value: Double) -> Double { (value - lower) / (upper - lower) }

    private static func niceStep(_ raw: Double) -> Double {
        let magnitude = pow10(floorLog10(raw))
        let leading = raw / magnitude
        let nice: Double = leading <= 1 ? 1 : leading <= 2 ? 2 : leading <= 5 ? 5 : 10
        return nice * magnitude
    }

    private static func floorLog10(_ value: Double) -> Int {
        var exponent = 0
        var scaled = value
        while scaled >= 10 {
            scaled /= 10
            exponent += 1
        }
        while scaled < 1 {
            scaled *= 10
            exponent -= 1
        }
        return exponent
    }

    private static func pow10(_ exponent: Int) -> Double {
        var result = 1.0
        for _ in 0..<abs(exponent) { result *= 10 }
        return exponent < 0 ? 1 / result : result
    }

    /// A tick label: no trailing `.0`, at most three decimals.
    static func label(_ value: Double) -> String {
        let rounded = (value * 1000).rounded() / 1000
        if rounded == rounded.rounded(), abs(rounded) < 1e15 { return String(Int(rounded)) }
        return String(rounded)
    }
}
