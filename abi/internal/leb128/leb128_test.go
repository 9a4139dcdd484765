package leb128

import (
	"bytes"
	"testing"
)

func TestAppend(t *testing.T) {
	tests := []struct {
		name string
		got  []byte
		want []byte
	}{
		{"unsigned 0", AppendUint32(nil, 0), []byte{0}},
		{"unsigned 624485", AppendUint32(nil, 624485), []byte{0xe5, 0x8e, 0x26}},
		{"unsigned max", AppendUint32(nil, 1<<32-1), []byte{0xff, 0xff, 0xff, 0xff, 0x0f}},
		{"signed 0", AppendInt64(nil, 0), []byte{0}},
		{"signed 63", AppendInt64(nil, 63), []byte{0x3f}},
		{"signed 64", AppendInt64(nil, 64), []byte{0xc0, 0x00}},
		{"signed -1", AppendInt64(nil, -1), []byte{0x7f}},
		{"signed -123456", AppendInt64(nil, -123456), []byte{0xc0, 0xbb, 0x78}},
		{"appends", AppendInt64([]byte{9}, 1), []byte{9, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !bytes.Equal(tt.got, tt.want) {
				t.Errorf("got % x, want % x", tt.got, tt.want)
			}
		})
	}
}
