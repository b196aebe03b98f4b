package protocol

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// ErrInvalidPath is wrapped by every error ValidatePath returns.
var ErrInvalidPath = errors.New("protocol: invalid path")

// ValidatePath checks a znode path exactly as ZooKeeper's PathUtils.validatePath:
// non-empty, absolute, no trailing slash (except "/"), no empty, "." or ".."
// component, and no character that is NUL, a control character, a surrogate or
// private-use code unit, or in U+FFF0–U+FFFF. Because Java sees strings as
// UTF-16, any character outside the Basic Multilingual Plane is rejected, and
// so is malformed UTF-8 (Java decodes it to U+FFFD).
func ValidatePath(p string) error {
	if p == "" {
		return fmt.Errorf("%w: path length must be > 0", ErrInvalidPath)
	}
	if p[0] != '/' {
		return fmt.Errorf("%w: path must start with / character", ErrInvalidPath)
	}
	if len(p) == 1 {
		return nil
	}
	if p[len(p)-1] == '/' {
		return fmt.Errorf("%w: path must not end with / character", ErrInvalidPath)
	}
	start := 1 // first byte of the current component
	for i := 1; i < len(p); {
		r, size := utf8.DecodeRuneInString(p[i:])
		switch {
		case r == '/':
			if err := checkComponent(p[start:i], i); err != nil {
				return err
			}
			start = i + 1
		case badChar(r, size):
			return fmt.Errorf("%w: invalid character @%d", ErrInvalidPath, i)
		}
		i += size
	}
	return checkComponent(p[start:], len(p))
}

func checkComponent(c string, at int) error {
	switch c {
	case "":
		return fmt.Errorf("%w: empty node name specified @%d", ErrInvalidPath, at)
	case ".", "..":
		return fmt.Errorf("%w: relative paths not allowed @%d", ErrInvalidPath, at)
	}
	return nil
}

func badChar(r rune, size int) bool {
	switch {
	case r == utf8.RuneError && size <= 1:
		return true
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return true
	case r >= 0xd800 && r <= 0xf8ff, r >= 0xfff0 && r <= 0xffff:
		return true
	case r > 0xffff:
		return true
	}
	return false
}
