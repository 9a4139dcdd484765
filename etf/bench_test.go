package etf

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/creo-dev/creo/internal/erltest"
)

// benchCorpus returns the terms of the benchmarks, the ones
// testdata/bench.erl times erlang:term_to_binary/1 and binary_to_term/1 on:
// a gen_server call from a remote node, a 1 MiB binary, a list of 10,000
// integers, a map of 100 maps, and the four requests of the call
// benchmarks of go run ./bench (bench/beam/driver.ex), which its ETF
// section times as well. To compare the two on one machine, run
// them in turns, so that both see the same load:
//
//	erlc -o /tmp etf/testdata/bench.erl && erl -noshell -pa /tmp -eval 'bench:main([])'
//	go test ./etf -run '^$' -bench 'Decode|AppendTerm|Encode' -count 5
//
// BenchmarkAppendTerm and BenchmarkDecode/*/alias are the paths the
// distribution layer takes; BenchmarkEncode and the copying BenchmarkDecode
// allocate the whole result, as term_to_binary and binary_to_term do.
func benchCorpus() []struct {
	name string
	term Term
} {
	node := Atom("client@127.0.0.1")
	call := Tuple{Atom("$gen_call"),
		Tuple{Pid{Node: node, ID: 90, Creation: 3},
			ImproperList{Elems: []Term{Atom("alias")}, Tail: Ref{Node: node, Creation: 3, Len: 3, ID: [5]uint32{123456, 12345, 54321}}}},
		Tuple{Atom("get"), Binary("user:42"), Int(5000)}}
	list := make(List, 10000)
	for i := range list {
		list[i] = Int(i + 1)
	}
	// Erlang writes maps of more than 32 keys in hash order: shuffle the
	// keys, so that the decoder cannot take them for sorted.
	users := make(Map, 100)
	for i, k := range rand.New(rand.NewPCG(1, 2)).Perm(len(users)) {
		k++
		users[i] = Pair{Int(k), Map{
			{Atom("id"), Int(k)},
			{Atom("name"), Binary(fmt.Sprintf("user %d", k))},
			{Atom("active"), Atom(fmt.Sprint(k%2 == 0))},
			{Atom("score"), Float(float64(k) * 1.5)},
			{Atom("tags"), List{Atom("admin"), Atom("staff")}},
			{Atom("meta"), Map{{Atom("created"), Int(1700000000 + k)}, {Atom("source"), Atom("web")}}},
		}}
	}
	keys := make(Map, 1000)
	for i, k := range rand.New(rand.NewPCG(3, 4)).Perm(len(keys)) {
		keys[i] = Pair{Binary(fmt.Sprintf("key%d", k+1)), Int(k + 1)}
	}
	return []struct {
		name string
		term Term
	}{
		{"call", call},
		{"binary_1m", Binary(bytes.Repeat([]byte("0123456789abcdef"), 65536))},
		{"list_10k", list},
		{"nested_map", users},
		{"small", Tuple{Atom("get"), Binary("user:42"), Int(5000)}},
		{"bin_1k", Binary(bytes.Repeat([]byte("x"), 1024))},
		{"bin_100k", Binary(bytes.Repeat([]byte("x"), 100*1024))},
		{"map_1k", keys},
	}
}

// TestBenchCorpus checks that the Go benchmarks and testdata/bench.erl time
// the same terms.
func TestBenchCorpus(t *testing.T) {
	erltest.Erl(t)
	dir := t.TempDir()
	erltest.Eval(t, fmt.Sprintf(`{ok, bench, Beam} = compile:file(%q, [binary]),
		{module, bench} = code:load_binary(bench, "bench.erl", Beam),
		bench:main(["write", %q]).`, "testdata/bench.erl", dir), 2*time.Minute)
	for _, c := range benchCorpus() {
		data := readTestFile(t, filepath.Join(dir, c.name+".etf"))
		got, err := Decode(data)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !Equal(got, c.term) {
			t.Errorf("bench.erl's %s differs from Go's", c.name)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	for _, c := range benchCorpus() {
		data, err := Encode(c.term)
		if err != nil {
			b.Fatal(err)
		}
		for _, alias := range []bool{false, true} {
			name := c.name
			if alias {
				name += "/alias"
			}
			opts := DecodeOptions{Alias: alias}
			b.Run(name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(data)))
				for b.Loop() {
					if _, err := opts.Decode(data); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkAppendTerm encodes into a reused buffer, as the distribution
// layer does.
func BenchmarkAppendTerm(b *testing.B) {
	for _, c := range benchCorpus() {
		b.Run(c.name, func(b *testing.B) {
			buf, err := AppendTerm(nil, c.term)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(buf) + 1))
			for b.Loop() {
				if buf, err = AppendTerm(buf[:0], c.term); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEncode returns a new slice each time, as term_to_binary/1 does.
func BenchmarkEncode(b *testing.B) {
	for _, c := range benchCorpus() {
		b.Run(c.name, func(b *testing.B) {
			data, err := Encode(c.term)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := Encode(c.term); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFloor times what a copying decode or a new encoding cannot
// avoid, the floors bench/notes/etf.md compares the codec with: cloning a
// term's bytes (one allocation and a copy, as Decode's copy of a binary and
// Encode's result are), the copy alone into a reused buffer, and boxing
// each element of list_10k as a Term in a new slice, as decoding it does.
func BenchmarkFloor(b *testing.B) {
	for _, c := range benchCorpus() {
		data, err := Encode(c.term)
		if err != nil {
			b.Fatal(err)
		}
		b.Run("clone/"+c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				_ = bytes.Clone(data)
			}
		})
		b.Run("copy/"+c.name, func(b *testing.B) {
			buf := make([]byte, len(data))
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				copy(buf, data)
			}
		})
		if list, ok := c.term.(List); ok {
			b.Run("box/"+c.name, func(b *testing.B) {
				ints := make([]Int, len(list))
				for i, e := range list {
					ints[i] = e.(Int)
				}
				b.ReportAllocs()
				for b.Loop() {
					boxed := make(List, len(ints))
					for i, n := range ints {
						boxed[i] = n
					}
				}
			})
		}
	}
}
