package etfwire

import "testing"

func TestReadAtom(t *testing.T) {
	tests := []struct {
		name     string
		b        []byte
		want     string
		size     int
		utf8, ok bool
	}{
		{name: "small utf8", b: []byte{119, 2, 'o', 'k', 0}, want: "ok", size: 4, utf8: true, ok: true},
		{name: "utf8", b: []byte{118, 0, 2, 'o', 'k'}, want: "ok", size: 5, utf8: true, ok: true},
		{name: "small latin1", b: []byte{115, 1, 0xe9}, want: "\xe9", size: 3, ok: true},
		{name: "latin1", b: []byte{100, 0, 0}, want: "", size: 3, ok: true},
		{name: "truncated name", b: []byte{119, 3, 'o', 'k'}},
		{name: "truncated length", b: []byte{118, 0}},
		{name: "not an atom", b: []byte{97, 1}},
		{name: "empty", b: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name, size, utf8, ok := ReadAtom(tt.b)
			if string(name) != tt.want || size != tt.size || utf8 != tt.utf8 || ok != tt.ok {
				t.Errorf("ReadAtom = %q, %d, %v, %v; want %q, %d, %v, %v", name, size, utf8, ok, tt.want, tt.size, tt.utf8, tt.ok)
			}
		})
	}
}

func TestTupleHead(t *testing.T) {
	tests := []struct {
		name        string
		b           []byte
		arity, size int
		ok          bool
	}{
		{name: "small", b: []byte{104, 3, 97, 1}, arity: 3, size: 2, ok: true},
		{name: "large", b: []byte{105, 0, 0, 1, 0}, arity: 256, size: 5, ok: true},
		{name: "truncated large", b: []byte{105, 0, 0, 1}},
		{name: "not a tuple", b: []byte{108, 0, 0, 0, 0}},
		{name: "empty", b: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			arity, size, ok := TupleHead(tt.b)
			if arity != tt.arity || size != tt.size || ok != tt.ok {
				t.Errorf("TupleHead = %d, %d, %v; want %d, %d, %v", arity, size, ok, tt.arity, tt.size, tt.ok)
			}
		})
	}
}
