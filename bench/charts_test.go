package main

import (
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// TestChartsDrawData draws each kind of chart from a small table and
// checks that the data is on it: pixels of the first side's colour, which
// only the data is drawn in.
func TestChartsDrawData(t *testing.T) {
	table := Table{
		Keys:  []string{"shape", "callers"},
		Sides: []string{"creo", "BEAM"},
		Unit:  perSecond,
		Rows: []Row{
			{Keys: []string{"small", "1"}, Values: []Samples{{100, 120}, {90, 95}}},
			{Keys: []string{"small", "64"}, Values: []Samples{{800, 900}, {700, 650}}},
			{Keys: []string{"big", "1"}, Values: []Samples{{10, 12}, {20, 21}}},
			{Keys: []string{"big", "64"}, Values: []Samples{{30, 33}, {60, 61}}},
		},
	}
	tests := []struct {
		name  string
		chart Chart
	}{
		{"lines", linePanels("lines.png", "lines", table, "callers")},
		{"bars", barPanels("bars.png", "bars", table)},
		{"ratios", ratioDots("ratios.png", "ratios", table, 0, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tt.chart.File)
			if err := tt.chart.draw(path); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			img, err := png.Decode(f)
			if err != nil {
				t.Fatal(err)
			}
			want := color.RGBAModel.Convert(sideColors[0]).(color.RGBA)
			found := 0
			b := img.Bounds()
			for y := b.Min.Y; y < b.Max.Y; y++ {
				for x := b.Min.X; x < b.Max.X; x++ {
					if color.RGBAModel.Convert(img.At(x, y)).(color.RGBA) == want {
						found++
					}
				}
			}
			if found < 20 {
				t.Errorf("%d pixels of the data's colour: the data is not drawn", found)
			}
		})
	}
}
