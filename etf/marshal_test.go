package etf

import (
	"errors"
	"math"
	"math/big"
	"reflect"
	"testing"
)

type address struct {
	Street string
	Zip    int `etf:"zip,omitempty"`
}

type user struct {
	Name    string
	UserID  uint64
	Tags    []string
	Address *address
	Admin   bool   `etf:"is_admin"`
	Secret  string `etf:"-"`
	Note    string `etf:",omitempty"`
	Stamp   stamp  `etf:",omitzero"`
	private int
}

// stamp is zero when its IsZero method says so, not when its value is.
type stamp struct{ Seconds int }

func (s stamp) IsZero() bool { return s.Seconds <= 0 }

type add struct {
	_ struct{} `etf:"add,tuple"`
	K Atom
	V int
}

type pair struct {
	_    struct{} `etf:",tuple"`
	A, B int
}

type base struct {
	ID   int
	Kind string
}

type withEmbedded struct {
	base
	Kind  Atom // shallower than base.Kind, so it wins
	*Opts      // nil: its fields are left out
	Pid        // a term type: one field, named pid
}

type Opts struct{ Verbose bool }

type node struct {
	Value int
	Next  *node
}

// hexID builds its own term.
type hexID uint32

func (h hexID) MarshalTerm() (Term, error) {
	if h == 0 {
		return nil, errors.New("zero id")
	}
	return Tuple{Atom("id"), Int(h)}, nil
}

func (h *hexID) UnmarshalTerm(t Term) error {
	tuple, ok := t.(Tuple)
	if !ok || len(tuple) != 2 || tuple[0] != Atom("id") {
		return errors.New("not an id")
	}
	i, _ := tuple[1].(Int)
	*h = hexID(i)
	return nil
}

func TestToTerm(t *testing.T) {
	big70 := new(big.Int).Lsh(big.NewInt(1), 70)
	tests := []struct {
		name string
		v    any
		want string // the term, as Format prints it
	}{
		{name: "nil", v: nil, want: "nil"},
		{name: "term", v: Tuple{Atom("ok")}, want: "{ok}"},
		{name: "raw", v: Raw{97, 1}, want: "1"},
		{name: "true", v: true, want: "true"},
		{name: "false", v: false, want: "false"},
		{name: "int", v: -5, want: "-5"},
		{name: "int8", v: int8(-128), want: "-128"},
		{name: "uint64 max int64", v: uint64(math.MaxInt64), want: "9223372036854775807"},
		{name: "uint64 above int64", v: uint64(math.MaxUint64), want: "18446744073709551615"},
		{name: "big.Int small", v: big.NewInt(5), want: "5"},
		{name: "big.Int large", v: *big70, want: "1180591620717411303424"},
		{name: "nil big.Int", v: (*big.Int)(nil), want: "nil"},
		{name: "float64", v: 2.5, want: "2.5"},
		{name: "float32 shortest", v: float32(0.1), want: "0.1"},
		{name: "string", v: "héllo", want: `<<"héllo"/utf8>>`},
		{name: "named string", v: Atom("a"), want: "a"},
		{name: "bytes", v: []byte{1, 2}, want: "<<1,2>>"},
		{name: "nil bytes", v: []byte(nil), want: "nil"},
		{name: "empty bytes", v: []byte{}, want: "<<>>"},
		{name: "byte array", v: [3]byte{1, 2, 3}, want: "<<1,2,3>>"},
		{name: "slice", v: []int{1, 2}, want: "[1,2]"},
		{name: "nil slice", v: []int(nil), want: "nil"},
		{name: "empty slice", v: []int{}, want: "[]"},
		{name: "array", v: [2]string{"a", "b"}, want: `[<<"a">>,<<"b">>]`},
		{name: "map", v: map[string]int{"b": 2, "a": 1}, want: `#{<<"a">> => 1,<<"b">> => 2}`},
		{name: "atom keys", v: map[Atom]bool{"x": true}, want: "#{x => true}"},
		{name: "nil map", v: map[string]int(nil), want: "nil"},
		{name: "pointer", v: new(int), want: "0"},
		{name: "nil pointer", v: (*int)(nil), want: "nil"},
		{name: "interface slice", v: []any{1, "a", nil, Atom("b")}, want: `[1,<<"a">>,nil,b]`},
		{
			name: "struct",
			v: &user{Name: "bob", UserID: 7, Tags: []string{"x"}, Address: &address{Street: "Main"},
				Admin: true, Secret: "s", Stamp: stamp{Seconds: 1}, private: 1},
			want: `#{address => #{street => <<"Main">>},is_admin => true,name => <<"bob">>,stamp => #{seconds => 1},tags => [<<"x">>],user_id => 7}`,
		},
		{
			name: "struct omitting",
			v:    user{Note: "n", Stamp: stamp{Seconds: -1}},
			want: `#{address => nil,is_admin => false,name => <<>>,note => <<"n">>,tags => nil,user_id => 0}`,
		},
		{name: "record", v: add{K: "k", V: 1}, want: "{add,k,1}"},
		{name: "untagged tuple", v: pair{A: 1, B: 2}, want: "{1,2}"},
		{
			name: "embedded",
			v:    withEmbedded{base: base{ID: 1, Kind: "hidden"}, Kind: "shown", Pid: Pid{Node: "n@h"}},
			want: "#{id => 1,kind => shown,pid => <n@h.0.0.0>}",
		},
		{name: "embedded pointer", v: withEmbedded{Opts: &Opts{Verbose: true}}, want: "#{id => 0,kind => '',pid => <''.0.0.0>,verbose => true}"},
		{name: "marshaler", v: hexID(5), want: "{id,5}"},
		{name: "marshaler in slice", v: []hexID{1}, want: "[{id,1}]"},
		{name: "nil marshaler", v: (*hexID)(nil), want: "nil"},
		{name: "recursive", v: &node{Value: 1, Next: &node{Value: 2}}, want: "#{next => #{next => nil,value => 2},value => 1}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ToTerm(tt.v)
			if err != nil {
				t.Fatalf("ToTerm(%#v): %v", tt.v, err)
			}
			if Format(got) != tt.want {
				t.Errorf("ToTerm(%#v) = %s, want %s", tt.v, got, tt.want)
			}
		})
	}
}

// TestToTermMapOrder checks that maps come out in Erlang's map key order,
// which is the order term_to_binary writes small maps in.
func TestToTermMapOrder(t *testing.T) {
	got, err := ToTerm(map[any]int{"b": 1, 2.0: 2, Atom("a"): 3, 1: 4, [1]int{0}: 5})
	if err != nil {
		t.Fatal(err)
	}
	want := Map{
		{Key: Int(1), Value: Int(4)}, {Key: Float(2), Value: Int(2)}, {Key: Atom("a"), Value: Int(3)},
		{Key: List{Int(0)}, Value: Int(5)}, {Key: Binary("b"), Value: Int(1)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ToTerm = %#v, want %#v", got, want)
	}
	got, err = ToTerm(user{})
	if err != nil {
		t.Fatal(err)
	}
	var keys []Term
	for _, p := range got.(Map) {
		keys = append(keys, p.Key)
	}
	if want := (List{Atom("address"), Atom("is_admin"), Atom("name"), Atom("tags"), Atom("user_id")}); !Equal(List(keys), want) {
		t.Errorf("struct keys = %v, want %v", List(keys), want)
	}
}

func TestToTerm_Errors(t *testing.T) {
	cyclic := &node{}
	cyclic.Next = cyclic
	tests := []struct {
		name string
		v    any
		want string
	}{
		{name: "channel", v: make(chan int), want: "etf: unsupported type: chan int"},
		{name: "func field", v: struct{ F func() }{}, want: "etf: unsupported type: func()"},
		{name: "complex", v: []complex64{1}, want: "etf: unsupported type: complex64"},
		{name: "nan", v: math.NaN(), want: "etf: unsupported value: NaN"},
		{name: "infinity in map", v: map[string]float32{"x": float32(math.Inf(1))}, want: "etf: unsupported value: +Inf"},
		{name: "cycle", v: cyclic, want: "etf: unsupported value: etf.node nested more than 10000 levels deep, as in a cycle"},
		{name: "equal keys", v: map[any]int{1: 1, int8(1): 2}, want: "etf: unsupported value: two keys of map[interface {}]int map to 1"},
		{name: "marshaler error", v: hexID(0), want: "etf: MarshalTerm of etf.hexID: zero id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ToTerm(tt.v)
			if err == nil {
				t.Fatalf("ToTerm = %v, want error %s", got, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("ToTerm error\n got: %s\nwant: %s", err, tt.want)
			}
		})
	}
}

func TestSnakeCase(t *testing.T) {
	tests := []struct{ name, want string }{
		{name: "Name", want: "name"},
		{name: "UserID", want: "user_id"},
		{name: "HTTPServer", want: "http_server"},
		{name: "V2Name", want: "v2_name"},
		{name: "ID", want: "id"},
		{name: "A", want: "a"},
		{name: "already_snake", want: "already_snake"},
		{name: "Ünïcode", want: "ünïcode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := snakeCase(tt.name); got != tt.want {
				t.Errorf("snakeCase(%s) = %s, want %s", tt.name, got, tt.want)
			}
		})
	}
}
