package config

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps keeps the package stdlib-only: every dependency's first path
// element must lack a dot (i.e. not be a module host such as github.com).
func TestDeps(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep == "github.com/raftzk/raftzk/server/config" {
			continue
		}
		if first, _, _ := strings.Cut(dep, "/"); strings.Contains(first, ".") {
			t.Errorf("forbidden dependency %s", dep)
		}
	}
}
