package etf

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

// benchState is a typical server state: scalars, a list, a map and a
// nested struct.
type benchState struct {
	Name    string
	Count   int
	Ratio   float64
	Active  bool
	Tags    []string
	Owner   Pid
	Limits  map[string]int
	Address *address
}

func newBenchState() benchState {
	return benchState{
		Name: "counter", Count: 12345, Ratio: 0.75, Active: true,
		Tags:    []string{"alpha", "beta", "gamma"},
		Owner:   Pid{Node: "app@127.0.0.1", ID: 85, Creation: 1},
		Limits:  map[string]int{"max": 1000, "min": 1},
		Address: &address{Street: "Main", Zip: 12345},
	}
}

// benchStateByHand builds the term ToTerm makes of s, without reflection:
// the baseline ToTerm is measured against.
func benchStateByHand(s *benchState) Term {
	tags := make(List, len(s.Tags))
	for i, tag := range s.Tags {
		tags[i] = Binary(tag)
	}
	return Map{
		{Key: Atom("active"), Value: Atom("true")},
		{Key: Atom("address"), Value: Map{{Key: Atom("street"), Value: Binary(s.Address.Street)}, {Key: Atom("zip"), Value: Int(s.Address.Zip)}}},
		{Key: Atom("count"), Value: Int(s.Count)},
		{Key: Atom("limits"), Value: Map{{Key: Binary("max"), Value: Int(s.Limits["max"])}, {Key: Binary("min"), Value: Int(s.Limits["min"])}}},
		{Key: Atom("name"), Value: Binary(s.Name)},
		{Key: Atom("owner"), Value: s.Owner},
		{Key: Atom("ratio"), Value: Float(s.Ratio)},
		{Key: Atom("tags"), Value: tags},
	}
}

// benchStateFromTermByHand reads a benchState from the term ToTerm makes
// of it, without reflection: the baseline FromTerm is measured against.
func benchStateFromTermByHand(t Term, s *benchState) error {
	m, ok := t.(Map)
	if !ok {
		return errors.New("not a map")
	}
	for _, p := range m {
		var ok bool
		switch p.Key {
		case Atom("active"):
			s.Active = p.Value == True
			ok = s.Active || p.Value == False
		case Atom("address"):
			s.Address = new(address)
			var fields Map
			if fields, ok = p.Value.(Map); ok {
				for _, f := range fields {
					switch f.Key {
					case Atom("street"):
						var b Binary
						b, ok = f.Value.(Binary)
						s.Address.Street = string(b)
					case Atom("zip"):
						var i Int
						i, ok = f.Value.(Int)
						s.Address.Zip = int(i)
					}
				}
			}
		case Atom("count"):
			var i Int
			i, ok = p.Value.(Int)
			s.Count = int(i)
		case Atom("limits"):
			var limits Map
			if limits, ok = p.Value.(Map); ok {
				s.Limits = make(map[string]int, len(limits))
				for _, l := range limits {
					k, kok := l.Key.(Binary)
					v, vok := l.Value.(Int)
					ok = ok && kok && vok
					s.Limits[string(k)] = int(v)
				}
			}
		case Atom("name"):
			var b Binary
			b, ok = p.Value.(Binary)
			s.Name = string(b)
		case Atom("owner"):
			s.Owner, ok = p.Value.(Pid)
		case Atom("ratio"):
			var f Float
			f, ok = p.Value.(Float)
			s.Ratio = float64(f)
		case Atom("tags"):
			var tags List
			if tags, ok = p.Value.(List); ok {
				s.Tags = make([]string, len(tags))
				for i, tag := range tags {
					b, bok := tag.(Binary)
					ok = ok && bok
					s.Tags[i] = string(b)
				}
			}
		}
		if !ok {
			return errors.New("bad " + Format(p.Key))
		}
	}
	return nil
}

func TestBenchStateByHand(t *testing.T) {
	s := newBenchState()
	got, err := ToTerm(&s)
	if err != nil {
		t.Fatal(err)
	}
	if want := benchStateByHand(&s); !Equal(got, want) {
		t.Errorf("ToTerm = %v, by hand %v", got, want)
	}
	var back benchState
	if err := benchStateFromTermByHand(got, &back); err != nil || !reflect.DeepEqual(back, s) {
		t.Errorf("by hand from the term = %+v, %v; want %+v", back, err, s)
	}
}

func BenchmarkToTerm(b *testing.B) {
	s := newBenchState()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ToTerm(&s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkToTermByHand(b *testing.B) {
	s := newBenchState()
	b.ReportAllocs()
	for b.Loop() {
		benchStateByHand(&s)
	}
}

func BenchmarkFromTerm(b *testing.B) {
	s := newBenchState()
	t := benchStateByHand(&s)
	b.ReportAllocs()
	for b.Loop() {
		var got benchState
		if err := FromTerm(t, &got); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFromTermByHand(b *testing.B) {
	s := newBenchState()
	t := benchStateByHand(&s)
	b.ReportAllocs()
	for b.Loop() {
		var got benchState
		if err := benchStateFromTermByHand(t, &got); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshal(b *testing.B) {
	s := newBenchState()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Marshal(&s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnmarshal(b *testing.B) {
	s := newBenchState()
	data, err := Marshal(&s)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var got benchState
		if err := Unmarshal(data, &got); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkJSONMarshal and BenchmarkJSONUnmarshal put encoding/json's
// figures for the same value next to Marshal's and Unmarshal's.
func BenchmarkJSONMarshal(b *testing.B) {
	s := newBenchState()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(&s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJSONUnmarshal(b *testing.B) {
	s := newBenchState()
	data, err := json.Marshal(&s)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var got benchState
		if err := json.Unmarshal(data, &got); err != nil {
			b.Fatal(err)
		}
	}
}
