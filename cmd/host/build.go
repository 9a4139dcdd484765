package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/creo-dev/creo/internal/gobuild"
)

// newBuildCommand returns the build subcommand: it builds a Go guest
// package into a module.
func newBuildCommand() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "build PKG",
		Short: "Build the Go guest package in the directory PKG into a .wasm module",
		Long: `build builds the Go main package in the directory PKG as a creo guest, with
the local Go toolchain and the flags a guest needs:

	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared

It writes the module to -o, else to the package directory's name with .wasm
in the working directory. Builds are cached by the content of the package
and its dependencies, in the user's cache directory.`,
		Args: wantArgs("PKG"),
		RunE: func(cmd *cobra.Command, args []string) error {
			wasm, err := buildGuest(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if out == "" {
				abs, err := filepath.Abs(args[0])
				if err != nil {
					return fmt.Errorf("host: build: %w", err)
				}
				out = filepath.Base(abs) + ".wasm"
			}
			if err := os.WriteFile(out, wasm, 0o644); err != nil {
				return fmt.Errorf("host: build: %w", err)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "the file to write the module to")
	return cmd
}

// buildGuest builds the Go guest package in dir, through the build cache
// in the user's cache directory, or without a cache when there is none.
func buildGuest(ctx context.Context, dir string) ([]byte, error) {
	var cacheDir string
	if base, err := os.UserCacheDir(); err == nil {
		cacheDir = filepath.Join(base, "creo", "gobuild")
	}
	wasm, _, err := gobuild.Build(ctx, dir, cacheDir)
	if err != nil {
		return nil, fmt.Errorf("host: build %s: %w", dir, err)
	}
	return wasm, nil
}
