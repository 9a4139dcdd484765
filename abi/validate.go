package abi

import (
	"errors"
	"fmt"
	"slices"

	"github.com/creo-dev/creo/internal/abiname"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// signature is a function type, as the checks below compare it.
type signature struct {
	params, results []api.ValueType
}

var (
	callbackSignature = signature{[]api.ValueType{i32, i32}, []api.ValueType{i64}}
	requiredExports   = map[string]signature{
		abiname.ABIVersion: {nil, []api.ValueType{i32}},
		abiname.Alloc:      {[]api.ValueType{i32}, []api.ValueType{i32}},
		abiname.Init:       callbackSignature,
	}
	optionalExports = map[string]signature{
		abiname.Initialize: {},
	}
)

func init() {
	for cb := HandleCall; cb < numCallbacks; cb++ {
		optionalExports[cb.String()] = callbackSignature
	}
}

// validate checks a compiled module against ABI.md sections 2 and 3, and
// that its memory starts within cfg's limit.
func validate(cm wazero.CompiledModule, cfg ModuleConfig) error {
	exports := cm.ExportedFunctions()
	for name, want := range requiredExports {
		def, ok := exports[name]
		if !ok {
			return fmt.Errorf("missing export %s", name)
		}
		if err := want.check(def); err != nil {
			return err
		}
	}
	for name, want := range optionalExports {
		if def, ok := exports[name]; ok {
			if err := want.check(def); err != nil {
				return err
			}
		}
	}
	if _, ok := exports[abiname.Start]; ok {
		return fmt.Errorf("exports %s: build it as a reactor (-buildmode=c-shared)", abiname.Start)
	}
	mem, ok := cm.ExportedMemories()[abiname.Memory]
	if !ok {
		return fmt.Errorf("missing export %s", abiname.Memory)
	}
	if mem.Min() > cfg.MemoryPages {
		return fmt.Errorf("memory starts at %d pages, over the limit of %d", mem.Min(), cfg.MemoryPages)
	}
	if len(cm.ImportedMemories()) > 0 {
		return errors.New("imports a memory")
	}
	for _, def := range cm.ImportedFunctions() {
		if err := checkImport(def); err != nil {
			return err
		}
	}
	return nil
}

func checkImport(def api.FunctionDefinition) error {
	module, name, _ := def.Import()
	switch module {
	case wasi_snapshot_preview1.ModuleName:
		return nil // wazero checks these when it links the instance
	case abiname.Module:
		i := slices.IndexFunc(hostFuncs, func(f hostFunc) bool { return f.name == name })
		if i < 0 {
			return fmt.Errorf("imports %s.%s, which the host does not provide", module, name)
		}
		return signature{hostFuncs[i].params, hostFuncs[i].results}.check(def)
	default:
		return fmt.Errorf("imports %s.%s: only %s and %s are provided", module, name, abiname.Module, wasi_snapshot_preview1.ModuleName)
	}
}

func (s signature) check(def api.FunctionDefinition) error {
	if slices.Equal(s.params, def.ParamTypes()) && slices.Equal(s.results, def.ResultTypes()) {
		return nil
	}
	name := def.Name()
	if _, n, ok := def.Import(); ok {
		name = n
	} else if names := def.ExportNames(); len(names) > 0 {
		name = names[0]
	}
	return fmt.Errorf("%s has type %s, want %s", name, typeString(def.ParamTypes(), def.ResultTypes()), typeString(s.params, s.results))
}

func typeString(params, results []api.ValueType) string {
	return fmt.Sprintf("(%s) -> (%s)", valueTypes(params), valueTypes(results))
}

func valueTypes(ts []api.ValueType) string {
	s := ""
	for i, t := range ts {
		if i > 0 {
			s += " "
		}
		s += api.ValueTypeName(t)
	}
	return s
}
