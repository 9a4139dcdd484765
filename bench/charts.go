package main

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// sideColors are the colours of the sides of a table, in order; the
// baseline, always last, is drawn in grey.
var sideColors = []color.Color{
	color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
	color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff},
	color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff},
}

var baselineColor = color.RGBA{R: 0x70, G: 0x70, B: 0x70, A: 0xff}

func sideColor(t Table, i int) color.Color {
	if i == len(t.Sides)-1 {
		return baselineColor
	}
	return sideColors[i%len(sideColors)]
}

// panelSize is the size of one panel of a chart.
const (
	panelWidth  = 4 * vg.Inch
	panelHeight = 3 * vg.Inch
)

// linePanels charts a table whose last key is a number, such as the
// callers: one panel per value of the other keys, with the medians of each
// side as a line over that number and the range as error bars. The x
// axis is logarithmic when the numbers span two decades.
func linePanels(file, caption string, t Table, xLabel string) Chart {
	return Chart{File: file, Caption: caption, draw: func(path string) error {
		var panels []*plot.Plot
		var titles []string
		byPanel := map[string][]Row{}
		for _, r := range t.Rows {
			key := strings.Join(r.Keys[:len(r.Keys)-1], ", ")
			if _, ok := byPanel[key]; !ok {
				titles = append(titles, key)
			}
			byPanel[key] = append(byPanel[key], r)
		}
		for _, title := range titles {
			p := newPanel(title, t.Unit)
			p.X.Label.Text = xLabel
			p.Legend.Top, p.Legend.Left = true, true
			rows := byPanel[title]
			xs := make([]float64, len(rows))
			for i, r := range rows {
				x, err := strconv.ParseFloat(strings.ReplaceAll(r.Keys[len(r.Keys)-1], ",", ""), 64)
				if err != nil {
					return fmt.Errorf("x value %q: %w", r.Keys[len(r.Keys)-1], err)
				}
				xs[i] = x
			}
			if len(xs) > 1 && xs[len(xs)-1]/xs[0] >= 100 {
				p.X.Scale = plot.LogScale{}
				p.X.Tick.Marker = plot.LogTicks{Prec: -1}
			}
			top := 0.0
			for s, side := range t.Sides {
				pts := make(plotter.XYs, len(rows))
				errs := make(plotter.YErrors, len(rows))
				for i, r := range rows {
					med := r.Values[s].Median()
					pts[i] = plotter.XY{X: xs[i], Y: med}
					errs[i] = struct{ Low, High float64 }{Low: med - r.Values[s].Min(), High: r.Values[s].Max() - med}
					top = max(top, r.Values[s].Max())
				}
				line, points, err := plotter.NewLinePoints(pts)
				if err != nil {
					return err
				}
				line.Color, points.Color = sideColor(t, s), sideColor(t, s)
				bars, err := plotter.NewYErrorBars(errorBars{pts, errs})
				if err != nil {
					return err
				}
				bars.Color = sideColor(t, s)
				p.Add(line, points, bars)
				p.Legend.Add(side, line)
			}
			// Room above the lines for the legend.
			p.Y.Min, p.Y.Max = 0, top*(1+0.12*float64(len(t.Sides)))
			panels = append(panels, p)
		}
		return drawPanels(path, caption, panels, panelWidth)
	}}
}

// barPanels charts a table with one panel per row, a bar per side at its
// median and the range as an error bar.
func barPanels(file, caption string, t Table) Chart {
	return Chart{File: file, Caption: caption, draw: func(path string) error {
		var panels []*plot.Plot
		for _, r := range t.Rows {
			p := newPanel(strings.Join(r.Keys, ", "), t.Unit)
			names := make([]string, len(t.Sides))
			for s, side := range t.Sides {
				med := r.Values[s].Median()
				bar, err := plotter.NewBarChart(plotter.Values{med}, vg.Points(28))
				if err != nil {
					return err
				}
				bar.XMin = float64(s)
				bar.Color, bar.LineStyle.Width = sideColor(t, s), 0
				pts := plotter.XYs{{X: float64(s), Y: med}}
				bars, err := plotter.NewYErrorBars(errorBars{pts, plotter.YErrors{{Low: med - r.Values[s].Min(), High: r.Values[s].Max() - med}}})
				if err != nil {
					return err
				}
				p.Add(bar, bars)
				names[s] = side
			}
			p.NominalX(names...)
			p.Y.Min = 0
			panels = append(panels, p)
		}
		return drawPanels(path, caption, panels, panelWidth)
	}}
}

// ratioDots charts the ratio of each row of a table, creo's median over
// the baseline's, on one panel: a column per value of the group key, a
// dot per value of the series key, and a line at 1. The ratio axis is
// logarithmic when the ratios span more than a decade.
func ratioDots(file, caption string, t Table, group, series int) Chart {
	return Chart{File: file, Caption: caption, draw: func(path string) error {
		var groups, names []string
		points := map[string]plotter.XYs{}
		lo, hi := 1.0, 1.0
		for _, r := range t.Rows {
			g, name := r.Keys[group], r.Keys[series]
			if !slices.Contains(groups, g) {
				groups = append(groups, g)
			}
			if !slices.Contains(names, name) {
				names = append(names, name)
			}
			v := r.ratio()
			lo, hi = min(lo, v), max(hi, v)
			points[name] = append(points[name], plotter.XY{X: float64(slices.Index(groups, g)), Y: v})
		}
		p := newPanel("", ratio)
		p.Y.Label.Text = fmt.Sprintf("%s / %s", t.Sides[0], t.Sides[len(t.Sides)-1])
		p.Legend.Top = true
		if hi/lo > 10 {
			p.Y.Scale = plot.LogScale{}
			p.Y.Tick.Marker = unitTicks{unit: ratio, log: true}
		}
		p.Y.Min, p.Y.Max = lo/1.2, hi*1.5
		parity := plotter.NewFunction(func(float64) float64 { return 1 })
		parity.Color, parity.Dashes = baselineColor, []vg.Length{vg.Points(4), vg.Points(3)}
		p.Add(parity)
		p.Legend.Add("parity", parity)
		shapes := []draw.GlyphDrawer{draw.CircleGlyph{}, draw.TriangleGlyph{}, draw.SquareGlyph{}, draw.CrossGlyph{}}
		for i, name := range names {
			sc, err := plotter.NewScatter(points[name])
			if err != nil {
				return err
			}
			sc.Color, sc.Shape, sc.Radius = sideColors[i%len(sideColors)], shapes[i%len(shapes)], vg.Points(4)
			p.Add(sc)
			p.Legend.Add(name, sc)
		}
		p.NominalX(groups...)
		p.X.Min, p.X.Max = -0.5, float64(len(groups))-0.5
		return drawPanels(path, caption, []*plot.Plot{p}, panelWidth*2)
	}}
}

// newPanel returns a plot titled title whose y axis is labelled in unit
// u.
func newPanel(title string, u unit) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Y.Tick.Marker = unitTicks{unit: u}
	return p
}

// unitTicks labels an axis in a unit, at the ticks gonum would choose.
type unitTicks struct {
	unit unit
	log  bool
}

func (ut unitTicks) Ticks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	if ut.log {
		ticks = plot.LogTicks{Prec: -1}.Ticks(lo, hi)
	} else {
		ticks = plot.DefaultTicks{}.Ticks(lo, hi)
	}
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = ut.unit.format(ticks[i].Value)
		}
	}
	return ticks
}

// errorBars pairs points with their error bars, as NewYErrorBars takes them.
type errorBars struct {
	plotter.XYs
	plotter.YErrors
}

// drawPanels lays panels out in a grid of at most two columns, each width
// wide, under a title, and writes them as a PNG.
func drawPanels(path, title string, panels []*plot.Plot, width vg.Length) error {
	cols := min(2, len(panels))
	rows := int(math.Ceil(float64(len(panels)) / float64(cols)))
	const titleHeight = 0.4 * vg.Inch
	img := vgimg.New(vg.Length(cols)*width, vg.Length(rows)*panelHeight+titleHeight)
	dc := draw.New(img)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	font := plot.DefaultFont
	font.Size = vg.Points(14)
	style := draw.TextStyle{Color: color.Black, Font: font, Handler: plot.DefaultTextHandler, XAlign: draw.XCenter, YAlign: draw.YTop}
	dc.FillText(style, vg.Point{X: dc.Center().X, Y: dc.Max.Y - vg.Points(6)}, title)
	body := dc
	body.Max.Y -= titleHeight
	grid := make([][]*plot.Plot, rows)
	for j := range grid {
		grid[j] = make([]*plot.Plot, cols)
		for i := range cols {
			if k := j*cols + i; k < len(panels) {
				grid[j][i] = panels[k]
			}
		}
	}
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Points(12), PadY: vg.Points(12), PadLeft: vg.Points(6), PadRight: vg.Points(6), PadBottom: vg.Points(6)}
	canvases := plot.Align(grid, tiles, body)
	for j := range grid {
		for i, p := range grid[j] {
			if p != nil {
				p.Draw(canvases[j][i])
			}
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
