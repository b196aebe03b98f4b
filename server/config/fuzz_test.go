package config

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse checks that no zoo.cfg makes Parse, ApplyProperties,
// ApplyMyID or Validate panic, and that ReadProperties agrees with itself
// when the input is split differently (it reads the whole input at once, so
// a prefix must never yield more entries than the whole).
func FuzzParse(f *testing.F) {
	for _, tc := range propertyCases {
		f.Add([]byte(tc.in))
	}
	if names, err := filepath.Glob(filepath.Join("testdata", "*")); err == nil {
		for _, n := range names {
			if data, err := os.ReadFile(n); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte("server.1=a:1:2|b:3:4:observer;[::1]:2181\nserver.2=c:1:2\nmultiAddress.enabled=true\nversion=1f\n"))
	f.Add([]byte("dynamicConfigFile=/nonexistent\nmetricsProvider.httpPort=x\n4lw.commands.whitelist=*\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, warns, err := Parse(bytes.NewReader(data), "fuzz.cfg")
		if err != nil {
			if c != nil || warns != nil {
				t.Fatal("error with a config")
			}
			return
		}
		for _, w := range warns {
			_ = w.String()
		}
		_ = c.Validate()
		_ = c.IsStandalone()
		for _, s := range c.Servers {
			// A parsed server formats to a line that parses back the same.
			back, err := ParseServer(s.ID, s.String())
			if err != nil {
				t.Fatalf("server %+v formats to %q which does not parse: %v", s, s.String(), err)
			}
			if back.String() != s.String() {
				t.Fatalf("round trip %q -> %q", s.String(), back.String())
			}
			_, _ = c.ApplyMyID(s.ID)
		}
		c.ApplyProperties(ParseJVMFlags(strings.ToValidUTF8(string(data), "")))
		_ = c.Validate()
	})
}
