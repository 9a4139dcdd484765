package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"strings"
)

// cookieFile is where erl keeps the cookie, in the user's home directory.
const cookieFile = ".erlang.cookie"

// cookieLen is the length of the cookies erl makes.
const cookieLen = 20

// homeCookie returns the cookie in home's .erlang.cookie, creating the file
// as erl does when it does not exist: 20 random capital letters, readable
// by its owner only. Like erl, it refuses a file others may read: the
// cookie is the cluster's only secret.
func homeCookie(home string) (string, error) {
	path := filepath.Join(home, cookieFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return createCookie(path)
	}
	if err != nil {
		return "", fmt.Errorf("host: cookie: %w", err)
	}
	info, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("host: cookie: %w", err)
	}
	if info.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("host: cookie: %s must be accessible by its owner only (mode %v)", path, info.Mode().Perm())
	}
	// erl takes the first line, without surrounding blanks.
	cookie, _, _ := strings.Cut(string(b), "\n")
	if cookie = strings.TrimSpace(cookie); cookie == "" {
		return "", fmt.Errorf("host: cookie: %s is empty", path)
	}
	return cookie, nil
}

// createCookie writes a new random cookie to path, failing rather than
// overwriting a file that appeared meanwhile.
func createCookie(path string) (string, error) {
	const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	var b [cookieLen]byte
	for i := range b {
		k, err := rand.Int(rand.Reader, big.NewInt(int64(len(letters))))
		if err != nil {
			return "", fmt.Errorf("host: cookie: %w", err)
		}
		b[i] = letters[k.Int64()]
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o400)
	if err != nil {
		return "", fmt.Errorf("host: cookie: %w", err)
	}
	if _, err := f.Write(b[:]); err != nil {
		f.Close()
		return "", fmt.Errorf("host: cookie: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("host: cookie: %w", err)
	}
	return string(b[:]), nil
}
