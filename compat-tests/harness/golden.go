package harness

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// CheckGolden compares a client transcript with the golden file at path.
// Golden files are captured from Apache ZooKeeper: with update set, a run
// against TargetZooKeeper rewrites the file first. what names the client in
// the failure message.
func CheckGolden(t testing.TB, path, got, target, what string, update bool) {
	t.Helper()
	if update && target == TargetZooKeeper {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update against Apache ZooKeeper)", err)
	}
	if got != string(want) {
		t.Errorf("%s transcript differs from %s:\n%s", what, path, LineDiff(string(want), got))
	}
}

// LineDiff shows where got first departs from want: a few common lines of
// context, then up to eight lines of each.
func LineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	i := 0
	for i < len(w) && i < len(g) && w[i] == g[i] {
		i++
	}
	var b strings.Builder
	fmt.Fprintf(&b, "first difference at line %d\n", i+1)
	for j := max(0, i-5); j < i; j++ {
		fmt.Fprintf(&b, "  %s\n", w[j])
	}
	for j := i; j < min(len(w), i+8); j++ {
		fmt.Fprintf(&b, "- %s\n", w[j])
	}
	for j := i; j < min(len(g), i+8); j++ {
		fmt.Fprintf(&b, "+ %s\n", g[j])
	}
	return b.String()
}
