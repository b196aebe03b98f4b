package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Entry is one key/value pair read from a Java properties file, exactly as
// java.util.Properties.load would store it (escapes decoded, not trimmed),
// with the 1-based number of the line on which its logical line starts.
type Entry struct {
	Key   string
	Value string
	Line  int
}

// ErrMalformedEscape is returned by ReadProperties for a \u escape that is
// not followed by four hex digits; java.util.Properties.load throws
// IllegalArgumentException("Malformed \uxxxx encoding.") in that case.
var ErrMalformedEscape = errors.New(`config: malformed \uxxxx encoding`)

// ReadProperties reads r with the rules of java.util.Properties.load and
// returns every entry in file order, duplicates included (Java keeps the
// last one; so does Properties.Set).
//
// The rules: lines end at \n, \r or \r\n; leading space, tab and form feed
// are skipped; a line whose first other character is '#' or '!' is a
// comment (and never continues); a line ending in an odd number of
// backslashes continues on the next line, whose leading whitespace is
// dropped; the key ends at the first unescaped '=', ':' or whitespace, and
// whitespace plus at most one '=' or ':' after it are skipped; escapes are
// \t \r \n \f \uXXXX, and a backslash before any other character yields that
// character. A backslash at the very end of the input is dropped.
//
// One deliberate difference: Java decodes the bytes as ISO-8859-1, so a
// UTF-8 path in zoo.cfg reaches the JVM mangled; ReadProperties passes bytes
// through unchanged and encodes \uXXXX as UTF-8.
func ReadProperties(r io.Reader) ([]Entry, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("config: read properties: %w", err)
	}
	var entries []Entry
	lr := lineReader{data: data, line: 1}
	for {
		logical, start, ok := lr.next()
		if !ok {
			break
		}
		key, value, err := splitKeyValue(logical)
		if err != nil {
			return entries, fmt.Errorf("line %d: %w", start, err)
		}
		entries = append(entries, Entry{Key: key, Value: value, Line: start})
	}
	return entries, nil
}

// lineReader mirrors java.util.Properties.LineReader as of Java 9 (the
// version every supported ZooKeeper runs on; Java 8 differs only for a '#'
// after a continuation that left the line empty): it returns logical lines
// with comments and blank lines removed and continuations joined. The
// returned slice keeps escapes (other than the continuation backslash).
type lineReader struct {
	data []byte
	pos  int
	line int // 1-based number of the natural line at pos
	buf  []byte
}

func isPropSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\f' }

func (lr *lineReader) next() (logical []byte, startLine int, ok bool) {
	lr.buf = lr.buf[:0]
	skipWhite := true
	appended := false
	backslash := false
	startLine = lr.line
	for {
		if lr.pos >= len(lr.data) {
			if len(lr.buf) == 0 {
				return nil, 0, false
			}
			if backslash {
				lr.buf = lr.buf[:len(lr.buf)-1]
			}
			return lr.buf, startLine, true
		}
		c := lr.read()
		if skipWhite {
			if isPropSpace(c) {
				continue
			}
			if !appended && (c == '\r' || c == '\n') {
				startLine = lr.line
				continue
			}
			skipWhite = false
			appended = false
		}
		if len(lr.buf) == 0 && (c == '#' || c == '!') {
			// A comment: Java 9+ checks "still on a new logical line" with
			// len == 0, so a comment may also follow a continuation that
			// left the line empty. It never continues.
			for lr.pos < len(lr.data) {
				if c = lr.read(); c == '\r' || c == '\n' {
					break
				}
			}
			skipWhite = true
			startLine = lr.line
			continue
		}
		if c != '\n' && c != '\r' {
			lr.buf = append(lr.buf, c)
			backslash = c == '\\' && !backslash
			continue
		}
		// End of a natural line.
		if len(lr.buf) == 0 {
			skipWhite = true
			startLine = lr.line
			continue
		}
		if lr.pos >= len(lr.data) || !backslash {
			if backslash {
				lr.buf = lr.buf[:len(lr.buf)-1]
			}
			return lr.buf, startLine, true
		}
		// A backslash at the end of the line is not part of it; continue
		// on the next line after its leading whitespace.
		lr.buf = lr.buf[:len(lr.buf)-1]
		skipWhite = true
		appended = true
		backslash = false
		if c == '\r' && lr.pos < len(lr.data) && lr.data[lr.pos] == '\n' {
			lr.read()
		}
	}
}

// read consumes one byte, counting natural lines (\r\n is one break).
func (lr *lineReader) read() byte {
	c := lr.data[lr.pos]
	lr.pos++
	if c == '\n' || (c == '\r' && (lr.pos >= len(lr.data) || lr.data[lr.pos] != '\n')) {
		lr.line++
	}
	return c
}

// splitKeyValue mirrors Properties.load0: the key ends at the first
// unescaped separator or whitespace.
func splitKeyValue(line []byte) (key, value string, err error) {
	limit := len(line)
	keyLen := 0
	valueStart := limit
	hasSep := false
	backslash := false
	for keyLen < limit {
		c := line[keyLen]
		if (c == '=' || c == ':') && !backslash {
			valueStart = keyLen + 1
			hasSep = true
			break
		}
		if isPropSpace(c) && !backslash {
			valueStart = keyLen + 1
			break
		}
		if c == '\\' {
			backslash = !backslash
		} else {
			backslash = false
		}
		keyLen++
	}
	for valueStart < limit {
		c := line[valueStart]
		if !isPropSpace(c) {
			if !hasSep && (c == '=' || c == ':') {
				hasSep = true
			} else {
				break
			}
		}
		valueStart++
	}
	if key, err = unescape(line[:keyLen]); err != nil {
		return "", "", err
	}
	if value, err = unescape(line[valueStart:]); err != nil {
		return "", "", err
	}
	return key, value, nil
}

// unescape mirrors Properties.loadConvert. Runs of \uXXXX escapes that form
// UTF-16 surrogate pairs are joined; a lone surrogate becomes U+FFFD, which is
// what Java produces when it later encodes the string.
func unescape(in []byte) (string, error) {
	if bytes.IndexByte(in, '\\') < 0 {
		return string(in), nil
	}
	var out strings.Builder
	out.Grow(len(in))
	var pending []uint16 // UTF-16 code units from consecutive \u escapes
	flush := func() {
		if len(pending) > 0 {
			for _, r := range utf16.Decode(pending) {
				out.WriteRune(r)
			}
			pending = pending[:0]
		}
	}
	for i := 0; i < len(in); {
		c := in[i]
		i++
		if c != '\\' {
			flush()
			out.WriteByte(c)
			continue
		}
		if i >= len(in) {
			// Cannot come out of lineReader (it drops a trailing lone
			// backslash); treat it as Java 8 would treat an empty escape.
			flush()
			break
		}
		c = in[i]
		i++
		if c == 'u' {
			if i+4 > len(in) {
				return "", ErrMalformedEscape
			}
			var v uint16
			for _, h := range in[i : i+4] {
				d, ok := hexDigit(h)
				if !ok {
					return "", ErrMalformedEscape
				}
				v = v<<4 | uint16(d)
			}
			i += 4
			pending = append(pending, v)
			continue
		}
		flush()
		switch c {
		case 't':
			c = '\t'
		case 'r':
			c = '\r'
		case 'n':
			c = '\n'
		case 'f':
			c = '\f'
		}
		out.WriteByte(c)
	}
	flush()
	return out.String(), nil
}

func hexDigit(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// javaTrim mirrors String.trim: it removes every character <= U+0020 from
// both ends. ZooKeeper trims every key and value it reads from zoo.cfg.
func javaTrim(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return r <= ' ' })
}

// Properties is a set of Java system properties ("jute.maxbuffer",
// "zookeeper.skipACL", ...). The typed accessors read a property the way the
// ZooKeeper class that owns it does, including Java's quiet fallback to the
// default when a number does not parse.
type Properties map[string]string

// Merge returns a new Properties holding every layer, later layers winning.
// Nil layers are skipped.
func Merge(layers ...Properties) Properties {
	out := Properties{}
	for _, l := range layers {
		for k, v := range l {
			out[k] = v
		}
	}
	return out
}

// Keys returns the property names in sorted order.
func (p Properties) Keys() []string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Get mirrors System.getProperty(key, def).
func (p Properties) Get(key, def string) string {
	if v, ok := p[key]; ok {
		return v
	}
	return def
}

// Integer mirrors Integer.getInteger(key, def): the value is parsed with
// Integer.decode (decimal, 0x/0X/# hex, leading-0 octal, optional sign), and
// a missing or malformed value yields def. ok is false only when the
// property is present but malformed.
func (p Properties) Integer(key string, def int32) (v int32, ok bool) {
	s, present := p[key]
	if !present {
		return def, true
	}
	n, err := javaDecode(s, 32)
	if err != nil {
		return def, false
	}
	return int32(n), true
}

// Long mirrors Long.getLong(key, def); see Integer.
func (p Properties) Long(key string, def int64) (v int64, ok bool) {
	s, present := p[key]
	if !present {
		return def, true
	}
	n, err := javaDecode(s, 64)
	if err != nil {
		return def, false
	}
	return n, true
}

// Boolean mirrors Boolean.getBoolean(key): true only when the property
// equals "true", ignoring case.
func (p Properties) Boolean(key string) bool {
	return strings.EqualFold(p[key], "true")
}

// ParseBoolean mirrors Boolean.parseBoolean(System.getProperty(key, def)).
func (p Properties) ParseBoolean(key string, def bool) bool {
	s, ok := p[key]
	if !ok {
		return def
	}
	return strings.EqualFold(s, "true")
}

// javaDecode mirrors Integer.decode / Long.decode for the given bit size.
func javaDecode(s string, bits int) (int64, error) {
	if s == "" {
		return 0, errors.New("empty")
	}
	neg := false
	i := 0
	switch s[0] {
	case '-':
		neg = true
		i++
	case '+':
		i++
	}
	base := 10
	switch {
	case strings.HasPrefix(s[i:], "0x"), strings.HasPrefix(s[i:], "0X"):
		base, i = 16, i+2
	case strings.HasPrefix(s[i:], "#"):
		base, i = 16, i+1
	case strings.HasPrefix(s[i:], "0") && len(s) > i+1:
		base, i = 8, i+1
	}
	digits := s[i:]
	if digits == "" || digits[0] == '-' || digits[0] == '+' {
		return 0, errors.New("sign character in wrong position")
	}
	var n uint64
	limit := uint64(1) << (bits - 1) // magnitude of MinValue
	for j := 0; j < len(digits); j++ {
		d, ok := hexDigit(digits[j])
		if !ok || int(d) >= base {
			return 0, fmt.Errorf("invalid digit %q", digits[j])
		}
		n = n*uint64(base) + uint64(d)
		if n > limit {
			return 0, errors.New("out of range")
		}
	}
	if neg {
		return -int64(n), nil
	}
	if n == limit {
		return 0, errors.New("out of range")
	}
	return int64(n), nil
}

// ParseJVMFlags extracts the -Dkey=value words of a JVM command line such
// as $SERVER_JVMFLAGS or $JVMFLAGS. Words are split the way a POSIX shell
// splits a command line: whitespace separates words, single quotes are
// literal, double quotes allow \" \\ \$ and \` escapes, and a backslash
// outside quotes escapes the next character. (zkServer.sh expands $JVMFLAGS
// unquoted, so the real script does no quote removal at all; doing it here
// is kinder to flags written in systemd units and compose files.)
//
// "-Dkey" without '=' sets key to "" as the JVM does; later words win; words
// that are not -D options (-Xmx1g, -XX:..., -cp) are ignored.
func ParseJVMFlags(s string) Properties {
	p := Properties{}
	for _, w := range shellWords(s) {
		rest, ok := strings.CutPrefix(w, "-D")
		if !ok {
			continue
		}
		k, v, _ := strings.Cut(rest, "=")
		if k == "" {
			continue
		}
		p[k] = v
	}
	return p
}

// JVMFlagsFromEnv returns the -D properties of the SERVER_JVMFLAGS and
// JVMFLAGS environment variables, looked up with getenv (pass os.Getenv).
// zkServer.sh runs java with "$SERVER_JVMFLAGS $JVMFLAGS", so JVMFLAGS wins
// when both set the same property.
func JVMFlagsFromEnv(getenv func(string) string) Properties {
	return ParseJVMFlags(getenv("SERVER_JVMFLAGS") + " " + getenv("JVMFLAGS"))
}

func shellWords(s string) []string {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
			i++
		case c == '\'':
			inWord = true
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 { // unterminated: take the rest literally
				cur.WriteString(s[i+1:])
				i = len(s)
				break
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 2
		case c == '"':
			inWord = true
			i++
			for i < len(s) && s[i] != '"' {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\"\\$`", s[i+1]) >= 0 {
					cur.WriteByte(s[i+1])
					i += 2
					continue
				}
				cur.WriteByte(s[i])
				i++
			}
			i++ // closing quote (or end of input)
		case c == '\\':
			inWord = true
			if i+1 < len(s) {
				_, size := utf8.DecodeRuneInString(s[i+1:])
				cur.WriteString(s[i+1 : i+1+size])
				i += 1 + size
			} else {
				i++
			}
		default:
			inWord = true
			cur.WriteByte(c)
			i++
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// readFirstLine returns the first line of data as BufferedReader.readLine
// does (ending at \n, \r or \r\n), and false when data is empty.
func readFirstLine(data []byte) (string, bool) {
	if len(data) == 0 {
		return "", false
	}
	if i := bytes.IndexAny(data, "\r\n"); i >= 0 {
		data = data[:i]
	}
	return string(data), true
}
