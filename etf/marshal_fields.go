package etf

import (
	"reflect"
	"slices"
	"strings"
	"sync"
	"unicode"
)

// structPlan is how a struct type maps to a term, worked out once per type.
type structPlan struct {
	// fields are the mapped fields: sorted by name for a map, so that the
	// map comes out in Erlang term order; in declaration order for a tuple.
	fields []structField
	byName map[string]int // index in fields
	// asTuple is set by a blank field tagged etf:",tuple"; tupleTag is the
	// atom that field names, which leads the tuple, or "" for none.
	asTuple  bool
	tupleTag Atom
}

// structField is one struct field mapped to a map key or a tuple element.
type structField struct {
	name      string
	key       Term  // Atom(name), boxed once
	index     []int // for fieldValue, through embedded structs
	typ       reflect.Type
	omitEmpty bool
	omitZero  bool
	tagged    bool
}

var structPlans sync.Map // reflect.Type → *structPlan

// planOf returns the plan of the struct type t.
func planOf(t reflect.Type) *structPlan {
	if p, ok := structPlans.Load(t); ok {
		return p.(*structPlan)
	}
	p, _ := structPlans.LoadOrStore(t, newStructPlan(t))
	return p.(*structPlan)
}

func newStructPlan(t reflect.Type) *structPlan {
	plan := &structPlan{}
	for i := range t.NumField() {
		f := t.Field(i)
		if name, opts, ok := strings.Cut(f.Tag.Get("etf"), ","); f.Name == "_" && ok && hasOption(opts, "tuple") {
			plan.asTuple, plan.tupleTag = true, Atom(name)
		}
	}
	plan.fields = dominantFields(collectFields(t))
	if !plan.asTuple {
		slices.SortFunc(plan.fields, func(a, b structField) int { return strings.Compare(a.name, b.name) })
	}
	plan.byName = make(map[string]int, len(plan.fields))
	for i, f := range plan.fields {
		plan.byName[f.name] = i
	}
	return plan
}

// collectFields lists the exported fields of t and of the structs it embeds
// without a name tag, breadth first, in declaration order within a level, as
// encoding/json does. An embedded term type or big.Int is a field like any
// other, named after its type: pid for an embedded Pid.
func collectFields(t reflect.Type) []structField {
	type pending struct {
		typ   reflect.Type
		index []int
	}
	var fields []structField
	level := []pending{{typ: t}}
	visited := map[reflect.Type]bool{}
	for len(level) > 0 {
		var next []pending
		for _, p := range level {
			if visited[p.typ] {
				continue
			}
			visited[p.typ] = true
			for i := range p.typ.NumField() {
				sf := p.typ.Field(i)
				tag := sf.Tag.Get("etf")
				if tag == "-" || sf.Name == "_" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				index := append(slices.Clip(p.index), i)
				ft := sf.Type
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if sf.Anonymous && name == "" && ft.Kind() == reflect.Struct && !isWholeType(ft) {
					next = append(next, pending{typ: ft, index: index})
					continue
				}
				if !sf.IsExported() {
					continue
				}
				f := structField{
					name:      name,
					index:     index,
					typ:       sf.Type,
					omitEmpty: hasOption(opts, "omitempty"),
					omitZero:  hasOption(opts, "omitzero"),
					tagged:    name != "",
				}
				if !f.tagged {
					f.name = snakeCase(sf.Name)
				}
				f.key = Atom(f.name)
				fields = append(fields, f)
			}
		}
		level = next
	}
	return fields
}

// dominantFields drops the fields whose name another field takes, by
// encoding/json's rule: the shallowest field wins, then the tagged one; a
// tie leaves out the name altogether.
func dominantFields(fields []structField) []structField {
	byName := map[string][]structField{}
	for _, f := range fields {
		byName[f.name] = append(byName[f.name], f)
	}
	var kept []structField
	for _, f := range fields {
		rivals := byName[f.name]
		if len(rivals) == 1 {
			kept = append(kept, f)
			continue
		}
		if winner, ok := dominant(rivals); ok && slices.Equal(winner.index, f.index) {
			kept = append(kept, f)
		}
	}
	return kept
}

// dominant returns the field that wins among fields of one name, if one does.
func dominant(fields []structField) (structField, bool) {
	depth := slices.MinFunc(fields, func(a, b structField) int { return len(a.index) - len(b.index) })
	var shallow []structField
	for _, f := range fields {
		if len(f.index) == len(depth.index) {
			shallow = append(shallow, f)
		}
	}
	if len(shallow) == 1 {
		return shallow[0], true
	}
	var tagged []structField
	for _, f := range shallow {
		if f.tagged {
			tagged = append(tagged, f)
		}
	}
	if len(tagged) == 1 {
		return tagged[0], true
	}
	return structField{}, false
}

// hasOption reports whether the comma-separated tag options include opt.
func hasOption(opts, opt string) bool {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		if o == opt {
			return true
		}
	}
	return false
}

// snakeCase returns the Go field name in snake_case, as Elixir names struct
// fields: UserID is user_id, HTTPServer is http_server, V2Name is v2_name.
func snakeCase(name string) string {
	var b strings.Builder
	runes := []rune(name)
	for i, r := range runes {
		if unicode.IsUpper(r) && i > 0 {
			prev := runes[i-1]
			nextLower := i+1 < len(runes) && unicode.IsLower(runes[i+1])
			if !unicode.IsUpper(prev) || nextLower {
				b.WriteByte('_')
			}
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// fieldValue returns the field at index of the struct v, following embedded
// pointers. When alloc is set it allocates nil ones; otherwise it reports
// false on meeting one.
func fieldValue(v reflect.Value, index []int, alloc bool) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				if !alloc || !v.CanSet() {
					return reflect.Value{}, false
				}
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, true
}
