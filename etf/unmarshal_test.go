package etf

import (
	"errors"
	"math/big"
	"math/rand/v2"
	"reflect"
	"testing"
)

// mustParse returns the term of text, which must parse.
func mustParse(t testing.TB, text string) Term {
	t.Helper()
	term, err := Parse(text)
	if err != nil {
		t.Fatalf("Parse(%q): %v", text, err)
	}
	return term
}

func ptr[T any](v T) *T { return &v }

func TestFromTerm(t *testing.T) {
	tests := []struct {
		name string
		term string // the term, in Erlang syntax
		into any    // a pointer to the value to store it in, which may hold a value
		want any    // what into points to afterwards
	}{
		{name: "bool", term: "true", into: new(bool), want: true},
		{name: "int", term: "-5", into: new(int), want: -5},
		{name: "int8 edge", term: "-128", into: new(int8), want: int8(-128)},
		{name: "uint64 big", term: "18446744073709551615", into: new(uint64), want: uint64(1<<64 - 1)},
		{name: "float", term: "2.5", into: new(float64), want: 2.5},
		{name: "float from int", term: "3", into: new(float32), want: float32(3)},
		{name: "float from big", term: "36893488147419103232", into: new(float64), want: float64(1 << 65)},
		{name: "big.Int", term: "36893488147419103232", into: new(big.Int), want: *new(big.Int).Lsh(big.NewInt(1), 65)},
		{name: "big.Int pointer", term: "7", into: new(*big.Int), want: big.NewInt(7)},
		{name: "string from binary", term: `<<"héllo"/utf8>>`, into: new(string), want: "héllo"},
		{name: "string from atom", term: "'Elixir.Foo'", into: new(string), want: "Elixir.Foo"},
		{name: "string from charlist", term: `"héllo"`, into: new(string), want: "héllo"},
		{name: "string from empty list", term: "[]", into: new(string), want: ""},
		{name: "string from nil atom", term: "nil", into: new(string), want: "nil"},
		{name: "named string from atom", term: "ok", into: new(Atom), want: Atom("ok")},
		{name: "bytes", term: "<<1,2>>", into: new([]byte), want: []byte{1, 2}},
		{name: "bytes from nil", term: "nil", into: ptr([]byte{1}), want: []byte(nil)},
		{name: "byte array", term: "<<1,2,3>>", into: new([3]byte), want: [3]byte{1, 2, 3}},
		{name: "slice", term: "[1,2]", into: new([]int), want: []int{1, 2}},
		{name: "slice from empty list", term: "[]", into: new([]int), want: []int{}},
		{name: "slice from undefined", term: "undefined", into: ptr([]int{1}), want: []int(nil)},
		{name: "array", term: "[a,b]", into: new([2]string), want: [2]string{"a", "b"}},
		{name: "map", term: `#{<<"a">> => 1, b => 2}`, into: new(map[string]int), want: map[string]int{"a": 1, "b": 2}},
		{name: "map adds", term: "#{b => 2}", into: ptr(map[Atom]int{"a": 1}), want: map[Atom]int{"a": 1, "b": 2}},
		{name: "map of any", term: "#{a => [1], 2 => c}", into: new(map[any]any), want: map[any]any{Atom("a"): List{Int(1)}, Int(2): Atom("c")}},
		{name: "map from nil", term: "nil", into: ptr(map[Atom]int{"a": 1}), want: map[Atom]int(nil)},
		{name: "pointer", term: "5", into: new(*int), want: ptr(5)},
		{name: "pointer from nil", term: "nil", into: ptr(ptr(5)), want: (*int)(nil)},
		{name: "any", term: "{ok,[1]}", into: new(any), want: Tuple{Atom("ok"), List{Int(1)}}},
		{name: "any from nil", term: "nil", into: ptr[any](1), want: nil},
		{name: "any from undefined", term: "undefined", into: new(any), want: Undefined},
		{name: "term", term: "#{a => 1}", into: new(Term), want: Map{{Key: Atom("a"), Value: Int(1)}}},
		{name: "term type", term: "<a@b.1.2.3>", into: new(Pid), want: Pid{Node: "a@b", ID: 1, Serial: 2, Creation: 3}},
		{name: "raw", term: "1", into: new(Raw), want: Raw{97, 1}},
		{
			name: "struct",
			term: `#{name => <<"bob">>, user_id => 7, tags => ["x"], address => #{street => <<"Main">>},
				is_admin => true, secret => <<"s">>, stamp => #{seconds => 3}, extra => 1, 5 => x}`,
			into: new(user),
			want: user{Name: "bob", UserID: 7, Tags: []string{"x"}, Address: &address{Street: "Main"}, Admin: true, Stamp: stamp{3}},
		},
		{name: "struct binary keys", term: `#{<<"name">> => <<"al">>}`, into: new(user), want: user{Name: "al"}},
		{name: "struct keeps missing", term: "#{user_id => 2}", into: &user{Name: "kept"}, want: user{Name: "kept", UserID: 2}},
		{name: "struct nil address", term: "#{address => nil}", into: &user{Address: &address{}}, want: user{}},
		{name: "record", term: "{add,k,1}", into: new(add), want: add{K: "k", V: 1}},
		{name: "untagged tuple", term: "{1,2}", into: new(pair), want: pair{A: 1, B: 2}},
		{
			name: "embedded",
			term: "#{id => 1, kind => shown, verbose => true, pid => <n@h.0.0.0>}",
			into: new(withEmbedded),
			want: withEmbedded{base: base{ID: 1}, Kind: "shown", Opts: &Opts{Verbose: true}, Pid: Pid{Node: "n@h"}},
		},
		{name: "unmarshaler", term: "{id,5}", into: new(hexID), want: hexID(5)},
		{name: "unmarshaler in slice", term: "[{id,1}]", into: new([]hexID), want: []hexID{1}},
		{name: "recursive", term: "#{value => 1, next => #{value => 2, next => nil}}", into: new(node), want: node{Value: 1, Next: &node{Value: 2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := FromTerm(mustParse(t, tt.term), tt.into); err != nil {
				t.Fatalf("FromTerm(%s): %v", tt.term, err)
			}
			if got := reflect.ValueOf(tt.into).Elem().Interface(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("FromTerm(%s) = %#v, want %#v", tt.term, got, tt.want)
			}
		})
	}
}

func TestFromTerm_Errors(t *testing.T) {
	tests := []struct {
		name string
		term string
		into any
		want string
	}{
		{name: "nil target", term: "1", into: nil, want: "etf: cannot unmarshal into nil"},
		{name: "non-pointer", term: "1", into: 1, want: "etf: cannot unmarshal into non-pointer int"},
		{name: "nil pointer", term: "1", into: (*int)(nil), want: "etf: cannot unmarshal into nil *int"},
		{name: "bool", term: "yes", into: new(bool), want: "etf: cannot unmarshal atom yes into Go value of type bool"},
		{name: "int from float", term: "1.0", into: new(int), want: "etf: cannot unmarshal float 1.0 into Go value of type int"},
		{name: "int overflow", term: "128", into: new(int8), want: "etf: cannot unmarshal integer 128 into Go value of type int8"},
		{name: "int from big", term: "9223372036854775808", into: new(int64), want: "etf: cannot unmarshal integer 9223372036854775808 into Go value of type int64"},
		{name: "negative uint", term: "-1", into: new(uint), want: "etf: cannot unmarshal integer -1 into Go value of type uint"},
		{name: "uint overflow", term: "18446744073709551616", into: new(uint64), want: "etf: cannot unmarshal integer 18446744073709551616 into Go value of type uint64"},
		{name: "float32 overflow", term: "1.0e300", into: new(float32), want: "etf: cannot unmarshal float 1.0e300 into Go value of type float32"},
		{name: "string from int", term: "1", into: new(string), want: "etf: cannot unmarshal integer 1 into Go value of type string"},
		{name: "string from bad charlist", term: "[-1]", into: new(string), want: "etf: cannot unmarshal list [-1] into Go value of type string"},
		{name: "bytes from list", term: "[1]", into: new([]byte), want: "etf: cannot unmarshal list [1] into Go value of type []uint8"},
		{name: "byte array length", term: "<<1>>", into: new([2]byte), want: "etf: cannot unmarshal binary <<1>> into Go value of type [2]uint8"},
		{name: "array length", term: "[1]", into: new([2]int), want: "etf: cannot unmarshal list [1] into Go value of type [2]int"},
		{name: "slice from tuple", term: "{1}", into: new([]int), want: "etf: cannot unmarshal tuple {1} into Go value of type []int"},
		{name: "slice element", term: "[1,a]", into: new([]int), want: "etf: cannot unmarshal atom a into Go value []int[1] of type int"},
		{name: "map value", term: "#{a => b}", into: new(map[string]int), want: "etf: cannot unmarshal atom b into Go value map[string]int[a] of type int"},
		{name: "map key", term: "#{1 => 2}", into: new(map[string]int), want: "etf: cannot unmarshal integer 1 into Go value map[string]int[key 1] of type string"},
		{name: "binary key into any", term: `#{<<"a">> => 2}`, into: new(map[any]int), want: `etf: cannot unmarshal binary <<"a">> into Go value map[interface {}]int[key <<"a">>] of type interface {}`},
		{name: "unhashable key", term: "#{[1] => 2}", into: new(map[any]int), want: "etf: cannot unmarshal list [1] into Go value map[interface {}]int[key [1]] of type interface {}"},
		{name: "struct from list", term: "[]", into: new(user), want: "etf: cannot unmarshal list [] into Go value of type etf.user"},
		{name: "struct field", term: "#{name => 1}", into: new(user), want: "etf: cannot unmarshal integer 1 into Go value user.name of type string"},
		{
			name: "nested field",
			term: "#{address => #{zip => <<\"a long binary that will be cut short in the message\">>}}",
			into: new(user),
			want: `etf: cannot unmarshal binary <<"a long binary that will be cut short ... into Go value user.address.zip of type int`,
		},
		{name: "record tag", term: "{sub,k,1}", into: new(add), want: "etf: cannot unmarshal tuple {sub,k,1} into Go value of type etf.add"},
		{name: "record size", term: "{add,k}", into: new(add), want: "etf: cannot unmarshal tuple {add,k} into Go value of type etf.add"},
		{name: "record field", term: "{add,k,x}", into: new(add), want: "etf: cannot unmarshal atom x into Go value add.v of type int"},
		{name: "exact term type", term: "<<\"a\">>", into: new(Atom), want: "etf: cannot unmarshal binary <<\"a\">> into Go value of type etf.Atom"},
		{name: "pid from atom", term: "a", into: new(Pid), want: "etf: cannot unmarshal atom a into Go value of type etf.Pid"},
		{name: "interface", term: "1", into: new(error), want: "etf: cannot unmarshal integer 1 into Go value of type error"},
		{name: "channel", term: "1", into: new(chan int), want: "etf: unsupported type: chan int"},
		{name: "unmarshaler", term: "{x}", into: new(hexID), want: "not an id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := FromTerm(mustParse(t, tt.term), tt.into)
			if err == nil {
				t.Fatalf("FromTerm(%s) succeeded, want error %s", tt.term, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("FromTerm(%s) error\n got: %s\nwant: %s", tt.term, err, tt.want)
			}
		})
	}
}

// TestFromTermRawError checks that a Raw that does not decode fails with
// the decoder's error.
func TestFromTermRawError(t *testing.T) {
	var n int
	err := FromTerm(Raw{97}, &n)
	var se *SyntaxError
	if !errors.As(err, &se) || !errors.Is(err, ErrTruncated) {
		t.Errorf("FromTerm(truncated Raw) = %v, want a SyntaxError for ErrTruncated", err)
	}
}

// TestRoundTrip checks that FromTerm reads back what ToTerm makes, through
// Marshal and Unmarshal.
func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		v    any
	}{
		{name: "user", v: user{Name: "bob", UserID: 1 << 63, Tags: []string{"a", "b"}, Address: &address{Street: "x", Zip: 7}, Admin: true, Stamp: stamp{2}}},
		{name: "record", v: add{K: "k", V: -1}},
		{name: "nested maps", v: map[string]map[Atom][]float64{"a": {"b": {1.5, -2}}, "c": nil}},
		{name: "pointers", v: ptr(ptr(ptr("deep")))},
		{name: "embedded", v: withEmbedded{base: base{ID: 1}, Kind: "k", Opts: &Opts{}, Pid: Pid{Node: "a@b", ID: 1}}},
		{name: "terms", v: []Term{Atom("a"), Binary("b"), Ref{Node: "a@b", Len: 1}}},
		{name: "big", v: *new(big.Int).Lsh(big.NewInt(-3), 100)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := Marshal(tt.v)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			got := reflect.New(reflect.TypeOf(tt.v))
			if err := Unmarshal(data, got.Interface()); err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			if !reflect.DeepEqual(got.Elem().Interface(), tt.v) {
				t.Errorf("round trip = %#v, want %#v", got.Elem().Interface(), tt.v)
			}
		})
	}
}

func TestUnmarshal_Errors(t *testing.T) {
	var n int
	if err := Unmarshal([]byte{131, 97}, &n); !errors.Is(err, ErrTruncated) {
		t.Errorf("Unmarshal(truncated) = %v, want ErrTruncated", err)
	}
	if err := Unmarshal([]byte{131, 97, 1}, n); err == nil || err.Error() != "etf: cannot unmarshal into non-pointer int" {
		t.Errorf("Unmarshal(non-pointer) = %v", err)
	}
}

// TestFromTermAnyTerm checks that any term, stored in values of many types,
// gives a value or an error, and never panics.
func TestFromTermAnyTerm(t *testing.T) {
	targets := []func() any{
		func() any { return new(bool) }, func() any { return new(int8) }, func() any { return new(uint) },
		func() any { return new(float32) }, func() any { return new(string) }, func() any { return new([]byte) },
		func() any { return new([2]byte) }, func() any { return new([]int) }, func() any { return new([1]any) },
		func() any { return new(map[string]int) }, func() any { return new(map[any]any) },
		func() any { return new(map[Atom][]string) }, func() any { return new(user) }, func() any { return new(add) },
		func() any { return new(*node) }, func() any { return new(withEmbedded) }, func() any { return new(any) },
		func() any { return new(Pid) }, func() any { return new(Raw) }, func() any { return new(big.Int) },
		func() any { return new(hexID) },
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 3000 {
		term := randomTerm(rng, 3)
		for _, target := range targets {
			v := target()
			if err := FromTerm(term, v); err == nil {
				// What was stored maps back to a term without error.
				if _, err := ToTerm(v); err != nil {
					t.Errorf("FromTerm(%s) into %T gave a value ToTerm refuses: %v", term, v, err)
				}
			}
		}
	}
}
