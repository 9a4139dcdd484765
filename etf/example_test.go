package etf_test

import (
	"bytes"
	"fmt"
	"io"

	"github.com/creo-dev/creo/etf"
)

func ExampleMarshal() {
	type Point struct {
		X, Y int
	}
	data, err := etf.Marshal(Point{X: 1, Y: 2})
	if err != nil {
		panic(err)
	}
	fmt.Printf("% x\n", data)
	// Output:
	// 83 74 00 00 00 02 77 01 78 61 01 77 01 79 61 02
}

func ExampleUnmarshal() {
	// What Elixir's :erlang.term_to_binary(%{name: "bob", user_id: 7}) returns.
	data := []byte{
		131, 116, 0, 0, 0, 2, 119, 4, 'n', 'a', 'm', 'e', 109, 0, 0, 0, 3, 'b', 'o', 'b',
		119, 7, 'u', 's', 'e', 'r', '_', 'i', 'd', 97, 7,
	}
	var user struct {
		Name   string
		UserID int
	}
	if err := etf.Unmarshal(data, &user); err != nil {
		panic(err)
	}
	fmt.Printf("%+v\n", user)
	// Output:
	// {Name:bob UserID:7}
}

func ExampleToTerm() {
	// A struct with a blank field tagged tuple maps to a tuple, as a record.
	type Add struct {
		_     struct{} `etf:"add,tuple"`
		Key   etf.Atom
		Value float64
	}
	t, err := etf.ToTerm([]Add{{Key: "x", Value: 1}})
	if err != nil {
		panic(err)
	}
	fmt.Println(t)
	// Output:
	// [{add,x,1.0}]
}

func ExampleFromTerm() {
	t, err := etf.Parse(`#{name => <<"bob">>, tags => [admin, "dev"], extra => ignored}`)
	if err != nil {
		panic(err)
	}
	var user struct {
		Name string
		Tags []string
	}
	if err := etf.FromTerm(t, &user); err != nil {
		panic(err)
	}
	fmt.Printf("%q %q\n", user.Name, user.Tags)
	var n int
	fmt.Println(etf.FromTerm(t, &n))
	// Output:
	// "bob" ["admin" "dev"]
	// etf: cannot unmarshal map #{extra => ignored,name => <<"bob">>,tag... into Go value of type int
}

func ExampleParse() {
	t, err := etf.Parse(`{ok, [1, 2 | tail], "hi", <<"hi">>, #{a => 16#ff}}.`)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%T\n%v\n", t, t)
	_, err = etf.Parse("{ok, Value}")
	fmt.Println(err)
	// Output:
	// etf.Tuple
	// {ok,[1,2|tail],[104,105],<<"hi">>,#{a => 255}}
	// etf: 1:6: variable Value is not a term
}

func ExampleFormat() {
	self := etf.Pid{Node: "creo@127.0.0.1", ID: 85, Creation: 1700000000}
	fmt.Println(etf.Format(etf.Tuple{
		etf.Atom("$gen_call"),
		etf.Tuple{self, etf.Atom("Elixir.Tag")},
		etf.Map{{Key: etf.Atom("b"), Value: etf.Float(0.1)}, {Key: etf.Atom("a"), Value: etf.Binary("é")}},
	}))
	// Output:
	// {'$gen_call',{<'creo@127.0.0.1'.85.0.1700000000>,'Elixir.Tag'},#{a => <<"é"/utf8>>,b => 0.1}}
}

func ExampleDecoder() {
	var stream bytes.Buffer
	enc := etf.NewEncoder(&stream)
	for _, v := range []any{"one", 2, []float64{3}} {
		if err := enc.Encode(v); err != nil {
			panic(err)
		}
	}
	dec := etf.NewDecoder(&stream)
	for {
		var t etf.Term
		if err := dec.Decode(&t); err == io.EOF {
			break
		} else if err != nil {
			panic(err)
		}
		fmt.Println(t)
	}
	// Output:
	// <<"one">>
	// 2
	// [3.0]
}
