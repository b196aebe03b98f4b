package quorum

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps keeps quorum below the server: it may import the standard
// library, hashicorp/raft, bbolt and their dependencies, never another
// raftzk package.
func TestDeps(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "github.com/raftzk/raftzk/") && pkg != "github.com/raftzk/raftzk/quorum" {
			t.Errorf("quorum depends on %s", pkg)
		}
	}
	if !strings.Contains(string(out), "github.com/hashicorp/raft\n") {
		t.Fatalf("go list -deps output does not look right:\n%s", out)
	}
}
