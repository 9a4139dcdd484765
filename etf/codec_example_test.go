package etf_test

import (
	"fmt"
	"slices"

	"github.com/creo-dev/creo/etf"
)

func ExampleDecode() {
	// term_to_binary({ok, [1, 2, 3]}) in OTP 26.
	data := []byte{131, 104, 2, 119, 2, 'o', 'k', 107, 0, 3, 1, 2, 3}
	t, err := etf.Decode(data)
	if err != nil {
		panic(err)
	}
	tuple := t.(etf.Tuple)
	fmt.Println(tuple[0] == etf.Atom("ok"), tuple[1].(etf.List)[2])
	// Output: true 3
}

func ExampleDecodeTerm() {
	// A term after a distribution header whose atom cache references are
	// net_kernel and is_auth: {net_kernel, is_auth}.
	atoms := []etf.Atom{"net_kernel", "is_auth"}
	t, n, err := etf.DecodeTerm([]byte{104, 2, 82, 0, 82, 1, 106}, atoms)
	if err != nil {
		panic(err)
	}
	fmt.Println(t, n)
	// Output: {net_kernel,is_auth} 6
}

func ExampleAppendTerm() {
	buf := make([]byte, 0, 64)
	for _, t := range []etf.Term{etf.Atom("ok"), etf.Tuple{etf.Int(1), etf.Binary("hi")}} {
		var err error
		if buf, err = etf.AppendTerm(buf[:0], t); err != nil {
			panic(err)
		}
		fmt.Println(buf)
	}
	// Output:
	// [119 2 111 107]
	// [104 2 97 1 109 0 0 0 2 104 105]
}

func ExampleCompare() {
	terms := []etf.Term{etf.List{etf.Int(1)}, etf.Atom("a"), etf.Tuple{}, etf.Float(2.5), etf.Int(1)}
	slices.SortStableFunc(terms, etf.Compare)
	fmt.Println(terms)
	fmt.Println(etf.Compare(etf.Int(1), etf.Float(1)), etf.Equal(etf.Int(1), etf.Float(1)))
	// Output:
	// [1 2.5 a {} [1]]
	// 0 false
}
