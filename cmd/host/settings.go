package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// The configuration keys, as the config file writes them. Each is also
// read from the environment variable CREO_ followed by the key in capitals
// with its dots as underscores: node.tick_time is CREO_NODE_TICK_TIME.
const (
	keyName        = "node.name"
	keyCookie      = "node.cookie"
	keyEPMD        = "node.epmd"
	keyListen      = "node.listen"
	keyHidden      = "node.hidden"
	keyTickTime    = "node.tick_time"
	keyBusyPoll    = "node.busy_poll"
	keyDataDir     = "data_dir"
	keyMemoryPages = "limits.memory_pages"
	keyDeadline    = "limits.deadline"
	keyPoolSize    = "limits.pool_size"
	keyModuleSize  = "limits.module_size"
	keyServers     = "servers"
)

// knownKeys are the keys a config file may set.
var knownKeys = []string{
	keyName, keyCookie, keyEPMD, keyListen, keyHidden, keyTickTime, keyBusyPoll,
	keyDataDir, keyMemoryPages, keyDeadline, keyPoolSize, keyModuleSize, keyServers,
}

// defaultConfigFile is the config file read when --config is not given, if
// the working directory has one.
const defaultConfigFile = "creo.yaml"

// envPrefix starts the environment variable of every key.
const envPrefix = "CREO"

// configError is a setting the command cannot run with. Its message names
// the key and says what is wrong with its value; for a config file that
// cannot be read, the key is the file's path.
type configError struct {
	key    string
	detail string
}

func (e *configError) Error() string { return "config: " + e.key + ": " + e.detail }

// badValue returns the error of a key whose value is not of the kind want
// describes, such as "a duration".
func badValue(key string, value any, want string) error {
	return &configError{key, fmt.Sprintf("%s is not %s", quoted(value), want)}
}

// quoted prints a value as the user wrote it, quoting strings.
func quoted(value any) string {
	if s, ok := value.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprint(value)
}

// settings reads the configuration with the precedence flags > environment
// > config file > defaults, the defaults being those of the flags. It wraps
// a viper.Viper so that every value it returns is checked and every error
// names its key.
type settings struct {
	v   *viper.Viper
	dir string // the config file's directory, which its paths are relative to
}

// newSettings returns settings that read the environment and, once bound
// with bindFlag, the command's flags.
func newSettings() *settings {
	v := viper.New()
	v.SetEnvPrefix(envPrefix)
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	return &settings{v: v, dir: "."}
}

// bindFlag makes the flag named flag of fs set key.
func (s *settings) bindFlag(key string, fs *pflag.FlagSet, flag string) {
	if err := s.v.BindPFlag(key, fs.Lookup(flag)); err != nil {
		panic(err) // only a flag that does not exist fails, a bug
	}
}

// readFile reads the config file at path, or else creo.yaml in the working
// directory if there is one. It fails on a file that is not YAML and on
// keys creo does not know, most likely misspelt.
func (s *settings) readFile(path string) error {
	if path == "" {
		if _, err := os.Stat(defaultConfigFile); errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		path = defaultConfigFile
	}
	file := viper.New()
	file.SetConfigFile(path)
	file.SetConfigType("yaml") // whatever the file's extension
	if err := file.ReadInConfig(); err != nil {
		var parse viper.ConfigParseError
		var open *fs.PathError
		switch {
		case errors.As(err, &parse):
			err = parse.Unwrap()
		case errors.As(err, &open):
			err = open.Err
		}
		return &configError{path, err.Error()}
	}
	keys := file.AllKeys()
	slices.Sort(keys)
	for _, key := range keys {
		if slices.Contains(knownKeys, key) {
			continue
		}
		// A scalar where a section of keys belongs is a key of its own.
		if slices.ContainsFunc(knownKeys, func(k string) bool { return strings.HasPrefix(k, key+".") }) {
			return badValue(key, file.Get(key), "a map of keys")
		}
		return &configError{key, "unknown key"}
	}
	s.dir = filepath.Dir(path)
	return s.v.MergeConfigMap(file.AllSettings())
}

// string returns the string at key.
func (s *settings) string(key string) (string, error) {
	return toString(key, s.v.Get(key))
}

// bool returns the boolean at key.
func (s *settings) bool(key string) (bool, error) {
	return toBool(key, s.v.Get(key))
}

// duration returns the positive duration at key.
func (s *settings) duration(key string) (time.Duration, error) {
	return toDuration(key, s.v.Get(key))
}

// int returns the integer at key, which must lie within [lo, hi].
func (s *settings) int(key string, lo, hi int) (int, error) {
	return toInt(key, s.v.Get(key), lo, hi)
}

// The conversions below take a value as YAML, the environment or a flag
// gives it: a string from the environment, the flag's type from a flag,
// and YAML's scalars from the file. They accept no guesses: YAML's 12345
// is not a string, and 60 is not a duration.

func toString(key string, value any) (string, error) {
	switch value := value.(type) {
	case nil:
		return "", nil
	case string:
		return value, nil
	}
	return "", badValue(key, value, "a string (quote it)")
}

func toBool(key string, value any) (bool, error) {
	switch value := value.(type) {
	case nil:
		return false, nil
	case bool:
		return value, nil
	case string:
		if b, err := strconv.ParseBool(value); err == nil {
			return b, nil
		}
	}
	return false, badValue(key, value, "true or false")
}

func toDuration(key string, value any) (time.Duration, error) {
	var d time.Duration
	switch value := value.(type) {
	case nil:
		return 0, nil
	case time.Duration:
		d = value
	case string:
		var err error
		if d, err = time.ParseDuration(value); err != nil {
			return 0, badValue(key, value, "a duration, such as 5s or 1m30s")
		}
	default:
		return 0, badValue(key, value, "a duration: give its unit, as in 5s or 1m30s")
	}
	if d <= 0 {
		return 0, &configError{key, fmt.Sprintf("%v is not positive", d)}
	}
	return d, nil
}

func toInt(key string, value any, lo, hi int) (int, error) {
	var n int
	switch value := value.(type) {
	case nil:
		return 0, nil
	case int:
		n = value
	case string:
		var err error
		if n, err = strconv.Atoi(value); err != nil {
			return 0, badValue(key, value, "an integer")
		}
	default:
		return 0, badValue(key, value, "an integer")
	}
	if n < lo || n > hi {
		return 0, &configError{key, fmt.Sprintf("%d is not between %d and %d", n, lo, hi)}
	}
	return n, nil
}
