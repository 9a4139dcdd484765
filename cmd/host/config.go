package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/host"
)

// config is what the bare command runs: the node, where it keeps its data,
// the limits of the modules it loads and the servers it starts at boot.
type config struct {
	net           host.NetConfig
	dataDir       string
	limits        limits
	maxModuleSize int // the most bytes of a module deployed to the node
	servers       []serverConfig
}

// limits bound each module the node loads.
type limits struct {
	memoryPages int           // the most 64 KiB pages an instance's memory may have
	deadline    time.Duration // the longest a callback may run
	poolSize    int           // the most instances of the module at once
}

// maxMemoryPages is the most pages a 32-bit WebAssembly memory can have:
// 4 GiB.
const maxMemoryPages = 65536

// maxPoolSize bounds limits.pool_size, far above what a machine holds: each
// instance of a Go guest takes about 5 MB.
const maxPoolSize = 100000

// maxModuleSize bounds limits.module_size: a module is sent whole in one
// message, and compiled in memory.
const maxModuleSize = 1 << 30

// loadConfig reads the configuration of the node the bare command runs,
// reading or creating the cookie file and choosing the data directory when
// they are not given.
func loadConfig(s *settings) (config, error) {
	node, err := loadNodeSettings(s)
	if err != nil {
		return config{}, err
	}
	cfg := config{net: host.NetConfig{Name: node.name, Cookie: node.cookie, EPMD: node.epmd}}
	if cfg.net.Listen, err = s.string(keyListen); err != nil {
		return config{}, err
	}
	if err := checkAddr(keyListen, cfg.net.Listen); err != nil {
		return config{}, err
	}
	if cfg.net.Hidden, err = s.bool(keyHidden); err != nil {
		return config{}, err
	}
	if cfg.net.TickTime, err = s.duration(keyTickTime); err != nil {
		return config{}, err
	}
	if cfg.net.DisableBusyPoll, err = loadBusyPoll(s); err != nil {
		return config{}, err
	}
	if cfg.dataDir, err = s.string(keyDataDir); err != nil {
		return config{}, err
	}
	if cfg.limits, err = loadLimits(s); err != nil {
		return config{}, err
	}
	if cfg.maxModuleSize, err = s.int(keyModuleSize, 1, maxModuleSize); err != nil {
		return config{}, err
	}
	if cfg.servers, err = loadServers(s, cfg.limits); err != nil {
		return config{}, err
	}
	if cfg.dataDir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return config{}, fmt.Errorf("host: %w", err)
		}
		cfg.dataDir = defaultDataDir(home, string(node.name))
	}
	return cfg, nil
}

// nodeSettings are the keys that say which node a command is and how it
// reaches others, shared by the bare command and those that talk to a
// running node.
type nodeSettings struct {
	name   etf.Atom
	cookie string
	epmd   string
}

// loadNodeSettings reads the node's name, cookie and EPMD, taking the
// cookie from ~/.erlang.cookie, as erl does, when none is given.
func loadNodeSettings(s *settings) (nodeSettings, error) {
	name, err := s.string(keyName)
	if err != nil {
		return nodeSettings{}, err
	}
	short, host, ok := strings.Cut(name, "@")
	if !ok || short == "" || host == "" || strings.Contains(host, "@") {
		return nodeSettings{}, badValue(keyName, name, "of the form name@host")
	}
	if len(name) > 255 {
		return nodeSettings{}, &configError{keyName, fmt.Sprintf("%q is longer than 255 bytes", name)}
	}
	ns := nodeSettings{name: etf.Atom(name)}
	if ns.epmd, err = s.string(keyEPMD); err != nil {
		return nodeSettings{}, err
	}
	if ns.epmd != "" {
		if err := checkAddr(keyEPMD, ns.epmd); err != nil {
			return nodeSettings{}, err
		}
	}
	if ns.cookie, err = s.string(keyCookie); err != nil {
		return nodeSettings{}, err
	}
	if ns.cookie == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return nodeSettings{}, fmt.Errorf("host: %w", err)
		}
		if ns.cookie, err = homeCookie(home); err != nil {
			return nodeSettings{}, err
		}
	}
	return ns, nil
}

// loadLimits reads the limits every module gets unless its server says
// otherwise.
func loadLimits(s *settings) (limits, error) {
	var l limits
	var err error
	if l.memoryPages, err = s.int(keyMemoryPages, 1, maxMemoryPages); err != nil {
		return limits{}, err
	}
	if l.deadline, err = s.duration(keyDeadline); err != nil {
		return limits{}, err
	}
	if l.poolSize, err = s.int(keyPoolSize, 1, maxPoolSize); err != nil {
		return limits{}, err
	}
	return l, nil
}

// The values of node.busy_poll: whether the readers of the node's
// connections may poll their sockets before they wait (dist.Config's
// DisableBusyPoll). A word, not a boolean: auto polls only while the
// CPUs are free, which true would not say.
const (
	busyPollAuto = "auto"
	busyPollOff  = "off"
)

// loadBusyPoll reads node.busy_poll and returns whether it turns the
// poll off.
func loadBusyPoll(s *settings) (disable bool, err error) {
	switch mode := s.v.Get(keyBusyPoll); mode {
	case nil, busyPollAuto:
		return false, nil
	case busyPollOff:
		return true, nil
	default:
		return false, badValue(keyBusyPoll, mode, "one of "+busyPollAuto+", "+busyPollOff)
	}
}

// checkAddr checks that the value of key is a TCP address, host:port with
// a port number.
func checkAddr(key, addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err == nil {
		if _, err = strconv.ParseUint(port, 10, 16); err == nil {
			return nil
		}
	}
	return badValue(key, addr, "an address host:port")
}

// defaultDataDir is $XDG_DATA_HOME/creo/<name>, as the XDG base directory
// specification places an application's data, else
// ~/.local/share/creo/<name>, its default. One directory per node name
// lets several nodes share a machine.
func defaultDataDir(home, name string) string {
	base := os.Getenv("XDG_DATA_HOME")
	if !filepath.IsAbs(base) { // the specification says to ignore relative paths
		base = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(base, "creo", name)
}
