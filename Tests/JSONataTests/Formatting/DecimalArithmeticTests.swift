import JSONValue
import Testing

@testable import JSONata

/// JavaScript-compatible rounding and fixed-point conversion used by `$formatNumber`.
@Suite("Decimal arithmetic")
struct DecimalArithmeticTests {
    @Test("toFixed expands the exact binary value, as Number.prototype.toFixed does")
    func toFixed() {
        #expect(DecimalArithmetic.toFixed(1.005, places: 2) == "1.00")
        #expect(DecimalArithmetic.toFixed(0.1, places: 20) == "0.10000000000000000555")
        #expect(DecimalArithmetic.toFixed(1_152_921_504_606_846_976, places: 0) == "1152921504606846976")
        #expect(DecimalArithmetic.toFixed(123.456, places: 5) == "123.45600")
        #expect(DecimalArithmetic.toFixed(0.05, places: 2) == "0.05")
        #expect(DecimalArithmetic.toFixed(1200, places: 1) == "1200.0")
        #expect(DecimalArithmetic.toFixed(0, places: 0) == "0")
        #expect(DecimalArithmetic.toFixed(2.5, places: 0) == "3")
        #expect(DecimalArithmetic.toFixed(Double.leastNonzeroMagnitude, places: 3) == "0.000")
        #expect(DecimalArithmetic.toFixed(1e21, places: 2) == "1e+21")
    }

    @Test("shortestDigits agrees with JSNumberFormat.shortestDigits")
    func shortestDigitsAgree() {
        var values: [Double] = [1, 0.1, 123.45, 1e21, 1e-7, Double.leastNonzeroMagnitude, 1.7976931348623157e308, 100, 0.000123, 123456789012345680]
        var x = 0.000_001_234_567
        while x < 1e25 {
            values.append(x)
            x *= 7.3
        }
        for value in values {
            let fast = DecimalArithmetic.shortestDigits(value)
            let reference = JSNumberFormat.shortestDigits(value)
            #expect(String(decoding: fast.digits, as: UTF8.self) == reference.digits && fast.exponent == reference.exponent, "\(value)")
        }
    }

    @Test("roundHalfEven rounds ties to even on the decimal digits")
    func roundHalfEven() {
        #expect(DecimalArithmetic.roundHalfEven(2.5, places: 0) == 2)
        #expect(DecimalArithmetic.roundHalfEven(3.5, places: 0) == 4)
        #expect(DecimalArithmetic.roundHalfEven(-2.5, places: 0) == -2)
        #expect(DecimalArithmetic.roundHalfEven(0.125, places: 2) == 0.12)
        #expect(DecimalArithmetic.roundHalfEven(1.005, places: 2) == 1)
        #expect(DecimalArithmetic.roundHalfEven(34.555, places: 2) == 34.56)
        #expect(DecimalArithmetic.roundHalfEven(-0.4, places: 0).sign == .plus)
    }
}
