package etf

import (
	"math"
	"strconv"
)

// appendFloatText appends f as float_to_list(F, [short]) prints it (OTP 25+):
// the shortest digits that read back to f, in fixed notation (123456.0,
// 0.001) or scientific notation (1.0e100, 1.2e-4), whichever erl picks.
// Erlang has no NaN or infinities; a Float holding one is malformed and
// prints as #Float<NaN>, #Float<+Inf> or #Float<-Inf>.
func appendFloatText(dst []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		dst = append(dst, "#Float<"...)
		dst = strconv.AppendFloat(dst, f, 'g', -1, 64)
		return append(dst, '>')
	}
	if math.Signbit(f) {
		dst = append(dst, '-')
		f = -f
	}
	if f == 0 {
		return append(dst, "0.0"...)
	}
	// Shortest digits in the form d.ddde±x, then value = digits × 10^exp.
	var buf [32]byte
	e := strconv.AppendFloat(buf[:0], f, 'e', -1, 64)
	digits := make([]byte, 0, 17)
	i := 0
	for ; e[i] != 'e'; i++ {
		if e[i] != '.' {
			digits = append(digits, e[i])
		}
	}
	sciExp, _ := strconv.Atoi(string(e[i+1:]))
	exp := sciExp - (len(digits) - 1)
	if erlangPrintsFixed(digits, exp, sciExp) {
		return appendFixed(dst, digits, exp)
	}
	dst = append(dst, digits[0], '.')
	if len(digits) == 1 {
		dst = append(dst, '0')
	} else {
		dst = append(dst, digits[1:]...)
	}
	dst = append(dst, 'e')
	return strconv.AppendInt(dst, int64(sciExp), 10)
}

// erlangPrintsFixed reports whether erl prints the float digits × 10^exp
// in fixed notation. It does when that text is about as short as the
// scientific one or shorter, except for integers from 2^53 up, whose
// fixed text would show digits the float does not hold.
func erlangPrintsFixed(digits []byte, exp, sciExp int) bool {
	lower, upper := -(len(digits) + 2), 1
	switch {
	case len(digits) == 1:
		lower, upper = -4, 2
	case sciExp >= 10:
		upper = 2
	}
	if exp < lower || exp > upper {
		return false
	}
	mantissa, _ := strconv.ParseUint(string(digits), 10, 64)
	switch exp {
	case 0:
		return mantissa < 1<<53
	case 1:
		return mantissa <= (1<<52)/5
	case 2:
		return mantissa <= (1<<51)/25
	}
	return true
}

// appendFixed appends digits × 10^exp in fixed notation with at least one
// digit after the point.
func appendFixed(dst, digits []byte, exp int) []byte {
	whole := len(digits) + exp
	switch {
	case exp >= 0:
		dst = append(dst, digits...)
		for range exp {
			dst = append(dst, '0')
		}
		return append(dst, ".0"...)
	case whole > 0:
		dst = append(dst, digits[:whole]...)
		dst = append(dst, '.')
		return append(dst, digits[whole:]...)
	default:
		dst = append(dst, "0."...)
		for range -whole {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	}
}
