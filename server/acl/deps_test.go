package acl

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps keeps the package pure: the standard library, jute and protocol.
func TestDeps(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	allowed := map[string]bool{
		"github.com/raftzk/raftzk/server/acl": true,
		"github.com/raftzk/raftzk/jute":       true,
		"github.com/raftzk/raftzk/protocol":   true,
	}
	for _, p := range strings.Fields(string(out)) {
		if !allowed[p] {
			t.Errorf("forbidden dependency %s", p)
		}
	}
}
