package acl

import (
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// This file reproduces the few java.lang behaviours ZooKeeper's providers
// depend on, so that odd input gets exactly the answer a Java server gives.

// javaString decodes b as new String(b, UTF_8) does on JDK 17
// (String.decodeUTF8_UTF16): each malformed sequence becomes one U+FFFD, where
// "malformed sequence" follows the JDK's rules rather than Go's (an encoded
// surrogate is one U+FFFD for three bytes; a truncated sequence at the end is
// one U+FFFD).
func javaString(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	var sb strings.Builder
	sb.Grow(len(b) + 8)
	const repl = utf8.RuneError
	cont := func(c byte) bool { return c&0xc0 == 0x80 }
	sp, sl := 0, len(b)
loop:
	for sp < sl {
		b1 := b[sp]
		sp++
		switch {
		case b1 < 0x80:
			sb.WriteByte(b1)
		case b1>>5 == 0x6 && b1&0x1e != 0: // C2..DF
			if sp < sl {
				b2 := b[sp]
				if !cont(b2) {
					sb.WriteRune(repl)
					continue
				}
				sp++
				sb.WriteRune(rune(b1&0x1f)<<6 | rune(b2&0x3f))
				continue
			}
			sb.WriteRune(repl)
			break loop
		case b1>>4 == 0xe: // E0..EF
			if sp+1 < sl {
				b2, b3 := b[sp], b[sp+1]
				if (b1 == 0xe0 && b2&0xe0 == 0x80) || !cont(b2) || !cont(b3) {
					sb.WriteRune(repl)
					// malformed3: one byte when b2 cannot follow b1, else two.
					if !((b1 == 0xe0 && b2&0xe0 == 0x80) || !cont(b2)) {
						sp++
					}
					continue
				}
				sp += 2
				c := rune(b1&0x0f)<<12 | rune(b2&0x3f)<<6 | rune(b3&0x3f)
				if c >= 0xd800 && c <= 0xdfff {
					sb.WriteRune(repl)
				} else {
					sb.WriteRune(c)
				}
				continue
			}
			if sp < sl && ((b1 == 0xe0 && b[sp]&0xe0 == 0x80) || !cont(b[sp])) {
				sb.WriteRune(repl)
				continue
			}
			sb.WriteRune(repl)
			break loop
		case b1>>3 == 0x1e: // F0..F7
			if sp+2 < sl {
				b2, b3, b4 := b[sp], b[sp+1], b[sp+2]
				uc := rune(b1&0x07)<<18 | rune(b2&0x3f)<<12 | rune(b3&0x3f)<<6 | rune(b4&0x3f)
				if !cont(b2) || !cont(b3) || !cont(b4) || uc < 0x10000 || uc > 0x10ffff {
					sb.WriteRune(repl)
					// malformed4: 1, 2 or 3 bytes.
					switch {
					case b1 > 0xf4 || (b1 == 0xf0 && (b2 < 0x90 || b2 > 0xbf)) ||
						(b1 == 0xf4 && b2&0xf0 != 0x80) || !cont(b2):
					case !cont(b3):
						sp++
					default:
						sp += 2
					}
					continue
				}
				sp += 3
				sb.WriteRune(uc)
				continue
			}
			if b1 > 0xf4 || (sp < sl && malformed4x2(b1, b[sp])) {
				sb.WriteRune(repl)
				continue
			}
			sp++
			sb.WriteRune(repl)
			if sp < sl && !cont(b[sp]) {
				continue
			}
			break loop
		default:
			sb.WriteRune(repl)
		}
	}
	return sb.String()
}

func malformed4x2(b1, b2 byte) bool {
	return (b1 == 0xf0 && (b2 < 0x90 || b2 > 0xbf)) ||
		(b1 == 0xf4 && b2&0xf0 != 0x80) || b2&0xc0 != 0x80
}

// javaSplit is s.split(sep) for a literal sep with limit 0: like
// strings.Split, but trailing empty strings are removed, and a string without
// sep is returned whole (so "" gives [""], while ":" gives []).
func javaSplit(s, sep string) []string {
	if !strings.Contains(s, sep) {
		return []string{s}
	}
	parts := strings.Split(s, sep)
	n := len(parts)
	for n > 0 && parts[n-1] == "" {
		n--
	}
	return parts[:n]
}

// javaDigit is Character.digit(ch, radix) for a UTF-16 code unit: any Unicode
// decimal digit (category Nd, in the BMP) and the Latin letters, ASCII or
// fullwidth, as digits above 9.
func javaDigit(r rune, radix int) int {
	v := -1
	switch {
	case r > 0xffff:
		return -1 // a surrogate pair in Java: neither half is a digit
	case r >= '0' && r <= '9':
		v = int(r - '0')
	case r >= 'a' && r <= 'z':
		v = int(r-'a') + 10
	case r >= 'A' && r <= 'Z':
		v = int(r-'A') + 10
	case r >= 0xff21 && r <= 0xff3a:
		v = int(r-0xff21) + 10
	case r >= 0xff41 && r <= 0xff5a:
		v = int(r-0xff41) + 10
	case r < 0x80:
		return -1
	case unicode.Is(unicode.Nd, r):
		// Unicode encodes decimal digits in contiguous runs 0..9, so the
		// value is the distance to the start of the run, modulo 10.
		n := 0
		for unicode.Is(unicode.Nd, r-rune(n)-1) {
			n++
		}
		v = n % 10
	}
	if v >= radix {
		return -1
	}
	return v
}

// javaParseInt is Integer.parseInt(s, radix): an optional leading '-' or '+'
// (not alone), then at least one digit as javaDigit reads them. ok is false
// where Java throws NumberFormatException, including overflow of int32.
func javaParseInt(s string, radix int) (v int64, ok bool) {
	if s == "" {
		return 0, false
	}
	neg := false
	if s[0] == '-' || s[0] == '+' {
		neg = s[0] == '-'
		s = s[1:]
		if s == "" {
			return 0, false
		}
	}
	for _, r := range s {
		d := javaDigit(r, radix)
		if d < 0 {
			return 0, false
		}
		v = v*int64(radix) + int64(d)
		if v > 1<<31 {
			return 0, false
		}
	}
	if neg {
		v = -v
	} else if v > 1<<31-1 {
		return 0, false
	}
	return v, true
}

// javaLen is s.length(): the number of UTF-16 code units.
func javaLen(s string) int {
	n := 0
	for _, r := range s {
		if r > 0xffff {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// javaHash is s.hashCode(): s[0]*31^(n-1) + ... + s[n-1] over UTF-16 code
// units, wrapping at 32 bits.
func javaHash(s string) int32 {
	var h int32
	for _, r := range s {
		if r > 0xffff {
			r1, r2 := utf16.EncodeRune(r)
			h = 31*h + int32(r1)
			h = 31*h + int32(r2)
			continue
		}
		h = 31*h + int32(r)
	}
	return h
}
