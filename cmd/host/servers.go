package main

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/host"
)

// serverConfig is a server the node starts at boot, under its own
// supervisor, registered as its name.
type serverConfig struct {
	name     etf.Atom
	module   string   // a .wasm file or a Go guest package directory
	initArgs etf.Term // init's argument
	restart  host.Restart
	limits   limits
}

// The keys of a server in the config file.
const (
	serverName     = "name"
	serverModule   = "module"
	serverInitArgs = "init_args"
	serverRestart  = "restart"
	serverLimits   = "limits"
)

// defaultInitArgs is init's argument when a server gives none, as
// GenServer.start_link(Module, []) gives.
const defaultInitArgs = "[]"

// restartTypes are the values of a server's restart key.
var restartTypes = []host.Restart{host.Permanent, host.Transient, host.Temporary}

// loadServers reads the servers of the config file. A server's limits are
// the node's, each overridden by the server's own limits key. Module paths
// are relative to the config file's directory.
func loadServers(s *settings, defaults limits) ([]serverConfig, error) {
	value := s.v.Get(keyServers)
	if value == nil {
		return nil, nil
	}
	entries, ok := value.([]any)
	if !ok {
		return nil, badValue(keyServers, value, "a list of servers")
	}
	servers := make([]serverConfig, 0, len(entries))
	for i, entry := range entries {
		key := fmt.Sprintf("%s[%d]", keyServers, i)
		srv, err := loadServer(key, entry, s.dir, defaults)
		if err != nil {
			return nil, err
		}
		if j := slices.IndexFunc(servers, func(other serverConfig) bool { return other.name == srv.name }); j >= 0 {
			return nil, &configError{key + "." + serverName, fmt.Sprintf("%q is also the name of %s[%d]", srv.name, keyServers, j)}
		}
		servers = append(servers, srv)
	}
	return servers, nil
}

// loadServer reads the server at key, whose module path is relative to
// dir.
func loadServer(key string, entry any, dir string, defaults limits) (serverConfig, error) {
	fields, err := toMap(key, entry, serverName, serverModule, serverInitArgs, serverRestart, serverLimits)
	if err != nil {
		return serverConfig{}, err
	}
	srv := serverConfig{limits: defaults}
	name, err := toString(key+"."+serverName, fields[serverName])
	if err != nil {
		return serverConfig{}, err
	}
	if srv.name, err = toAtom(key+"."+serverName, name); err != nil {
		return serverConfig{}, err
	}
	if srv.module, err = toString(key+"."+serverModule, fields[serverModule]); err != nil {
		return serverConfig{}, err
	}
	if srv.module == "" {
		return serverConfig{}, &configError{key + "." + serverModule, "missing: give a .wasm file or a Go guest package directory"}
	}
	if !filepath.IsAbs(srv.module) {
		srv.module = filepath.Join(dir, srv.module)
	}
	if _, err := os.Stat(srv.module); err != nil {
		return serverConfig{}, &configError{key + "." + serverModule, err.Error()}
	}
	args, err := toString(key+"."+serverInitArgs, fields[serverInitArgs])
	if err != nil {
		return serverConfig{}, err
	}
	if args == "" {
		args = defaultInitArgs
	}
	if srv.initArgs, err = etf.Parse(args); err != nil {
		return serverConfig{}, &configError{key + "." + serverInitArgs, err.Error()}
	}
	if srv.restart, err = toRestart(key+"."+serverRestart, fields[serverRestart]); err != nil {
		return serverConfig{}, err
	}
	if own := fields[serverLimits]; own != nil {
		if srv.limits, err = overrideLimits(key+"."+serverLimits, own, defaults); err != nil {
			return serverConfig{}, err
		}
	}
	return srv, nil
}

// overrideLimits returns defaults with the limits the map value at key
// sets.
func overrideLimits(key string, value any, defaults limits) (limits, error) {
	const memoryPages, deadline, poolSize = "memory_pages", "deadline", "pool_size"
	fields, err := toMap(key, value, memoryPages, deadline, poolSize)
	if err != nil {
		return limits{}, err
	}
	l := defaults
	if v, ok := fields[memoryPages]; ok {
		if l.memoryPages, err = toInt(key+"."+memoryPages, v, 1, maxMemoryPages); err != nil {
			return limits{}, err
		}
	}
	if v, ok := fields[deadline]; ok {
		if l.deadline, err = toDuration(key+"."+deadline, v); err != nil {
			return limits{}, err
		}
	}
	if v, ok := fields[poolSize]; ok {
		if l.poolSize, err = toInt(key+"."+poolSize, v, 1, maxPoolSize); err != nil {
			return limits{}, err
		}
	}
	return l, nil
}

// toMap returns the map value at key, which may only have the given keys.
func toMap(key string, value any, keys ...string) (map[string]any, error) {
	m, ok := value.(map[string]any)
	if !ok {
		return nil, badValue(key, value, "a map of keys")
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if !slices.Contains(keys, k) {
			return nil, &configError{key + "." + k, "unknown key"}
		}
	}
	return m, nil
}

// toAtom returns the name at key as an atom.
func toAtom(key, name string) (etf.Atom, error) {
	if err := checkAtom(name); err != nil {
		return "", &configError{key, err.Error()}
	}
	return etf.Atom(name), nil
}

// toRestart returns the restart type at key; permanent when absent.
func toRestart(key string, value any) (host.Restart, error) {
	s, err := toString(key, value)
	if err != nil || s == "" {
		return host.Permanent, err
	}
	r, err := parseRestart(s)
	if err != nil {
		return 0, &configError{key, err.Error()}
	}
	return r, nil
}

// parseRestart returns the restart type named s.
func parseRestart(s string) (host.Restart, error) {
	names := make([]string, len(restartTypes))
	for i, r := range restartTypes {
		if s == r.String() {
			return r, nil
		}
		names[i] = r.String()
	}
	return 0, fmt.Errorf("%q is not one of %s", s, strings.Join(names, ", "))
}
