package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/creo-dev/creo/internal/abiname"
)

// version is creo's version, set by a release build with
// -ldflags "-X main.version=v1.2.3". Empty: the module's version from the
// build information, which go install pkg@version records.
var version string

// wazeroModule is the module path of the WebAssembly runtime.
const wazeroModule = "github.com/tetratelabs/wazero"

// newVersionCommand returns the version subcommand.
func newVersionCommand(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the versions of creo, Go, wazero and the guest ABI",
		Args:  wantArgs(),
		RunE: func(*cobra.Command, []string) error {
			creo, wazero := buildVersions()
			_, err := fmt.Fprintf(stdout, "creo   %s\ngo     %s\nwazero %s\nabi    %d\n",
				creo, runtime.Version(), wazero, abiname.Version)
			return err
		},
	}
}

// buildVersions returns the versions of creo and of wazero this binary was
// built with, "unknown" where it does not record them.
func buildVersions() (creo, wazero string) {
	creo, wazero = version, "unknown"
	info, ok := debug.ReadBuildInfo()
	if !ok {
		if creo == "" {
			creo = "unknown"
		}
		return creo, wazero
	}
	if creo == "" {
		creo = info.Main.Version // (devel) when built from a checkout
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" {
				creo += " " + s.Value
			}
		}
	}
	for _, dep := range info.Deps {
		if dep.Path != wazeroModule {
			continue
		}
		wazero = dep.Version
		if dep.Replace != nil {
			wazero = dep.Replace.Path + " " + dep.Replace.Version
		}
	}
	return creo, wazero
}
