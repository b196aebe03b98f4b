package protocol_test

import (
	"errors"
	"testing"

	"github.com/raftzk/raftzk/protocol"
)

// TestValidatePath mirrors Apache ZooKeeper's PathUtilsTest: the same rule,
// applied by Java to UTF-16 code units.
func TestValidatePath(t *testing.T) {
	for _, tc := range []struct {
		name, path string
		ok         bool
	}{
		{"root", "/", true},
		{"simple", "/a", true},
		{"nested", "/a/b/c", true},
		{"spaces", "/this is / a valid/path", true},
		{"sequential suffix", "/a/b-0000000001", true},
		{"name with period", "/name/with.period.", true},
		{"three periods", "/...", true},
		{"three periods nested", "/a/.../b", true},
		{"leading period", "/.a", true},
		{"leading periods", "/..a", true},
		{"trailing periods", "/a..", true},
		{"zookeeper", "/zookeeper/quota", true},
		{"latin-1", "/caf\u00e9", true},
		{"cjk", "/\u4e2d\u6587", true},
		{"U+00A0, first after C1", "/\u00a0", true},
		{"U+D7FF, last before surrogates", "/\ud7ff", true},
		{"U+F900, first after private use", "/\uf900", true},
		{"U+FFEF, last before specials", "/\uffef", true},
		{"U+0020", "/ ", true},
		{"U+007E", "/~", true},

		{"empty", "", false},
		{"relative", "a", false},
		{"relative nested", "not/valid", false},
		{"trailing slash", "/ends/with/slash/", false},
		{"double slash", "//", false},
		{"double slash inside", "/double//slash", false},
		{"double slash leading", "//a", false},
		{"single period", "/.", false},
		{"single period inside", "/single/./period", false},
		{"single period last", "/a/.", false},
		{"double period", "/..", false},
		{"double period inside", "/double/../period", false},
		{"double period last", "/a/..", false},
		{"null character", "/test\u0000", false},
		{"U+0001", "/\u0001", false},
		{"U+001F", "/a\u001fb", false},
		{"U+007F", "/\u007f", false},
		{"U+0080", "/\u0080", false},
		{"U+009F", "/\u009f", false},
		{"U+E000 private use", "/\ue000", false},
		{"U+F8FF private use", "/\uf8ff", false},
		{"U+FFF0", "/\ufff0", false},
		{"U+FFFD", "/\ufffd", false},
		{"U+FFFF", "/\uffff", false},
		{"emoji (a surrogate pair in Java)", "/\U0001F600", false},
		{"supplementary CJK", "/\U00020000", false},
		{"invalid UTF-8", "/\xff", false},
		{"truncated UTF-8", "/a\xc3", false},
		{"CESU-8 surrogate", "/\xed\xa0\x80", false},
		{"control after valid", "/a/b\nc", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := protocol.ValidatePath(tc.path)
			if (err == nil) != tc.ok {
				t.Fatalf("ValidatePath(%q) = %v, want ok=%v", tc.path, err, tc.ok)
			}
			if err != nil && !errors.Is(err, protocol.ErrInvalidPath) {
				t.Fatalf("error %v does not wrap ErrInvalidPath", err)
			}
		})
	}
}

func FuzzValidatePath(f *testing.F) {
	for _, s := range []string{"/", "/a/b", "/a/../b", "/\u00e9", "//", "/\U0001F600"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		err := protocol.ValidatePath(p)
		if err == nil && (p == "" || p[0] != '/' || (len(p) > 1 && p[len(p)-1] == '/')) {
			t.Fatalf("accepted %q", p)
		}
	})
}
